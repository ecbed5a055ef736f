package web

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Options configures the map explorer.
type Options struct {
	// BasemapURL is a raster tile URL template with {z}, {x} and {y}
	// (256-pixel tiles, e.g. https://tile.example.org/{z}/{x}/{y}.png),
	// drawn under the data. Empty draws no base map, so the page needs
	// nothing but this server: the municipality outline gives the context.
	BasemapURL string
	// BasemapAttribution is shown in the map's corner while the base map
	// is drawn; most tile providers' terms require one.
	BasemapAttribution string
}

// The environment variables behind the serve flags --basemap-url and
// --basemap-attribution.
const (
	EnvBasemapURL         = "AREAGRAPH_BASEMAP_URL"
	EnvBasemapAttribution = "AREAGRAPH_BASEMAP_ATTRIBUTION"
)

// Validate reports whether the base map template can be used.
func (o Options) Validate() error {
	if o.BasemapURL == "" {
		return nil
	}
	_, err := tileOrigin(o.BasemapURL)
	return err
}

// tileOrigin checks a tile URL template and returns its origin, which the
// page's Content-Security-Policy must allow to fetch from.
func tileOrigin(template string) (string, error) {
	for _, p := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(template, p) {
			return "", fmt.Errorf("base map URL %q lacks %s; it must be a tile URL template such as https://tile.example.org/{z}/{x}/{y}.png", template, p)
		}
	}
	u, err := url.Parse(template)
	if err != nil {
		return "", fmt.Errorf("base map URL %q: %w", template, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("base map URL %q must start with http:// or https://", template)
	}
	if u.Host == "" || strings.ContainsAny(u.Host, "{} ;'\"") {
		return "", errors.New("base map URL " + fmt.Sprintf("%q", template) + " needs a fixed host")
	}
	return u.Scheme + "://" + u.Host, nil
}
