-- When a key's secret was last replaced (db.KeyStore.RotateKey); null for a
-- key that still has the secret it was made with.
ALTER TABLE api_keys ADD COLUMN rotated_at timestamptz;
