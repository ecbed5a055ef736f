package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/coreos/go-oidc/v3/oidc"
)

// The OIDC library reports an issuer it cannot reach and a token it
// cannot verify alike, as one flattened error. The two need different
// answers: a bad token is 401, while an issuer that is down says nothing
// about the token and is 503, so that clients retry instead of throwing a
// good token away. outageKeySet tells them apart where the error still
// has its type.

// issuerTransport turns an error status from the issuer into a transport
// error, which the HTTP client returns as a *url.Error.
type issuerTransport struct{ base http.RoundTripper }

func (t issuerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	res, err := base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	if res.StatusCode >= 400 {
		res.Body.Close()
		return nil, fmt.Errorf("the issuer answered %s", res.Status)
	}
	return res, nil
}

type outageKey struct{}

// withOutage returns ctx on which outageKeySet records into *err a failure
// to fetch the issuer's keys.
func withOutage(ctx context.Context, err *error) context.Context {
	return context.WithValue(ctx, outageKey{}, err)
}

// outageKeySet is the library's key set, with failures to fetch the keys
// recorded on the context of the verification.
type outageKeySet struct{ keys *oidc.RemoteKeySet }

func (s outageKeySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	payload, err := s.keys.VerifySignature(ctx, jwt)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) || errors.Is(err, context.DeadlineExceeded) {
			if p, ok := ctx.Value(outageKey{}).(*error); ok {
				*p = err
			}
		}
	}
	return payload, err
}
