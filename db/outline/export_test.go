package outline

// Simplifications is how many times a group has been simplified.
func (c *Cache) Simplifications() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.simplifications
}

// Waiting is how many requests wait for a group being read.
func (c *Cache) Waiting() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, f := range c.building {
		n += f.waiters
	}
	return n
}
