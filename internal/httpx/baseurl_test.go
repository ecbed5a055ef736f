package httpx

import (
	"fmt"
	"testing"
)

func TestParseTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies(" 10.1.2.3/8, 192.0.2.7 ,::1,,")
	if err != nil || fmt.Sprint(got) != "[10.0.0.0/8 192.0.2.7/32 ::1/128]" {
		t.Errorf("got %v, %v", got, err)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.example", "10.0.0"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestCleanBasePath(t *testing.T) {
	for in, want := range map[string]string{"": "", "/": "", "/areagraph/": "/areagraph", " /a/b ": "/a/b"} {
		if got, err := CleanBasePath(in); err != nil || got != want {
			t.Errorf("%q: %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"areagraph", "/a b", "/a/../b", "//evil.example", "/a?b", "/<script>"} {
		if _, err := CleanBasePath(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
