package main

// Test double for pulumi-random 4.21.4: the four resource types Converge-NPS
// uses. Values are generated with crypto/rand, like the real provider; every
// input forces a replacement, as in the real provider (all of its attributes
// are RequiresReplace), so `keepers` and `length` changes rotate the value.

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"golang.org/x/crypto/bcrypt"
)

const (
	lowerChars   = "abcdefghijklmnopqrstuvwxyz"
	upperChars   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	numericChars = "0123456789"
	// The real provider's default special characters.
	defaultSpecial = "!@#$%&*()-_=+[]{}<>:?"
)

func randomKinds() map[string]*resourceKind {
	stringDefaults := resource.PropertyMap{
		"lower": resource.NewBoolProperty(true), "upper": resource.NewBoolProperty(true),
		"numeric": resource.NewBoolProperty(true), "number": resource.NewBoolProperty(true),
		"special": resource.NewBoolProperty(true),
		"minLower": resource.NewNumberProperty(0), "minUpper": resource.NewNumberProperty(0),
		"minNumeric": resource.NewNumberProperty(0), "minSpecial": resource.NewNumberProperty(0),
	}
	return map[string]*resourceKind{
		"random:index/randomBytes:RandomBytes": {
			required:      []string{"length"},
			replaceOn:     []string{"*"},
			secretOutputs: []string{"base64", "hex"},
			create: func(in resource.PropertyMap, preview bool) (string, resource.PropertyMap, error) {
				if preview {
					return "", resource.PropertyMap{"base64": unknown(), "hex": unknown()}, nil
				}
				b, err := randBytes(int(num(in, "length", 0)))
				if err != nil {
					return "", nil, err
				}
				// The id is a constant so that the secret bytes never appear
				// in plaintext in the state.
				return "none", resource.PropertyMap{
					"base64": resource.NewStringProperty(base64.StdEncoding.EncodeToString(b)),
					"hex":    resource.NewStringProperty(hex.EncodeToString(b)),
				}, nil
			},
		},
		"random:index/randomId:RandomId": {
			required:  []string{"byteLength"},
			replaceOn: []string{"*"},
			create: func(in resource.PropertyMap, preview bool) (string, resource.PropertyMap, error) {
				if preview {
					return "", resource.PropertyMap{
						"b64Std": unknown(), "b64Url": unknown(), "dec": unknown(), "hex": unknown(),
					}, nil
				}
				b, err := randBytes(int(num(in, "byteLength", 0)))
				if err != nil {
					return "", nil, err
				}
				prefix := str(in, "prefix")
				url := base64.RawURLEncoding.EncodeToString(b)
				return url, resource.PropertyMap{
					"b64Std": resource.NewStringProperty(prefix + base64.StdEncoding.EncodeToString(b)),
					"b64Url": resource.NewStringProperty(prefix + url),
					"dec":    resource.NewStringProperty(prefix + new(big.Int).SetBytes(b).String()),
					"hex":    resource.NewStringProperty(prefix + hex.EncodeToString(b)),
				}, nil
			},
		},
		"random:index/randomString:RandomString": {
			required:  []string{"length"},
			defaults:  stringDefaults,
			replaceOn: []string{"*"},
			create: func(in resource.PropertyMap, preview bool) (string, resource.PropertyMap, error) {
				if preview {
					return "", resource.PropertyMap{"result": unknown()}, nil
				}
				s, err := randString(in)
				if err != nil {
					return "", nil, err
				}
				return s, resource.PropertyMap{"result": resource.NewStringProperty(s)}, nil
			},
		},
		"random:index/randomPassword:RandomPassword": {
			required:      []string{"length"},
			defaults:      stringDefaults,
			replaceOn:     []string{"*"},
			secretOutputs: []string{"result", "bcryptHash"},
			create: func(in resource.PropertyMap, preview bool) (string, resource.PropertyMap, error) {
				if preview {
					return "", resource.PropertyMap{"result": unknown(), "bcryptHash": unknown()}, nil
				}
				s, err := randString(in)
				if err != nil {
					return "", nil, err
				}
				hash, err := bcrypt.GenerateFromPassword([]byte(s), bcrypt.DefaultCost)
				if err != nil {
					return "", nil, err
				}
				// As in the real provider, the id is "none", never the password.
				return "none", resource.PropertyMap{
					"result":     resource.NewStringProperty(s),
					"bcryptHash": resource.NewStringProperty(string(hash)),
				}, nil
			},
		},
	}
}

func randBytes(n int) ([]byte, error) {
	if n < 1 {
		return nil, fmt.Errorf("length must be at least 1, got %d", n)
	}
	b := make([]byte, n)
	_, err := rand.Read(b)
	return b, err
}

func randIndex(n int) (int, error) {
	i, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		return 0, err
	}
	return int(i.Int64()), nil
}

// randString follows the real provider's rules: the min* counts of each
// enabled character class first, the rest from all enabled classes, then
// shuffled.
func randString(in resource.PropertyMap) (string, error) {
	length := int(num(in, "length", 0))
	special := defaultSpecial
	if v := unwrap(in["overrideSpecial"]); v.IsString() {
		special = v.StringValue()
	}
	type class struct {
		chars string
		on    bool
		min   int
	}
	classes := []class{
		{lowerChars, boolean(in, "lower", true), int(num(in, "minLower", 0))},
		{upperChars, boolean(in, "upper", true), int(num(in, "minUpper", 0))},
		{numericChars, boolean(in, "numeric", true) && boolean(in, "number", true), int(num(in, "minNumeric", 0))},
		{special, boolean(in, "special", true), int(num(in, "minSpecial", 0))},
	}
	var pool string
	var out []byte
	for _, c := range classes {
		if !c.on || c.chars == "" {
			continue
		}
		pool += c.chars
		for i := 0; i < c.min; i++ {
			j, err := randIndex(len(c.chars))
			if err != nil {
				return "", err
			}
			out = append(out, c.chars[j])
		}
	}
	if pool == "" {
		return "", fmt.Errorf("at least one character class must be enabled")
	}
	if len(out) > length {
		return "", fmt.Errorf("length %d is less than the sum of the min* counts (%d)", length, len(out))
	}
	for len(out) < length {
		j, err := randIndex(len(pool))
		if err != nil {
			return "", err
		}
		out = append(out, pool[j])
	}
	for i := len(out) - 1; i > 0; i-- {
		j, err := randIndex(i + 1)
		if err != nil {
			return "", err
		}
		out[i], out[j] = out[j], out[i]
	}
	return string(out), nil
}
