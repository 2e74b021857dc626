package ldapstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// The field constructors below say how one Go type is written as LDAP
// values and read back. An absent field (see oauth.Metadata for what
// absent means per type) has no attribute.

// text is a single-valued string.
func text(attr string, at func(*oauth.Client) *string) field {
	return field{
		attr: attr,
		put: func(c *oauth.Client) ([]string, error) {
			if v := *at(c); v != "" {
				return []string{v}, nil
			}
			return nil, nil
		},
		get: func(c *oauth.Client, values []string) error {
			v, err := single(values)
			*at(c) = v
			return err
		},
	}
}

// multi is a multi-valued string, in order. A present but empty list has no
// values to write; encodeData keeps it in oauthClientData instead.
func multi(attr string, at func(*oauth.Client) *[]string) field {
	return field{
		attr: attr,
		list: at,
		put: func(c *oauth.Client) ([]string, error) {
			values := *at(c)
			for i, v := range values {
				if v == "" {
					return nil, errors.New("empty value")
				}
				if slices.Contains(values[:i], v) {
					return nil, fmt.Errorf("value %q given twice", v)
				}
			}
			return values, nil
		},
		get: func(c *oauth.Client, values []string) error {
			*at(c) = slices.Clone(values)
			return nil
		},
	}
}

// lang is a single-valued string per language tag: the attribute itself
// holds the untagged value, attr;lang-xx the value for xx.
func lang(attr string, at func(*oauth.Client) *oauth.LangString) field {
	return field{attr: attr, lang: at}
}

// flag is an LDAP Boolean (RFC 4517 §3.3.3); false is written as no value.
func flag(attr string, at func(*oauth.Client) *bool) field {
	return field{
		attr: attr,
		put: func(c *oauth.Client) ([]string, error) {
			if *at(c) {
				return []string{"TRUE"}, nil
			}
			return nil, nil
		},
		get: func(c *oauth.Client, values []string) error {
			v, err := single(values)
			if err != nil {
				return err
			}
			switch v {
			case "TRUE":
				*at(c) = true
			case "FALSE":
				*at(c) = false
			default:
				return fmt.Errorf("%q is not TRUE or FALSE", v)
			}
			return nil
		},
	}
}

// number is an LDAP Integer.
func number(attr string, at func(*oauth.Client) **int) field {
	return field{
		attr: attr,
		put: func(c *oauth.Client) ([]string, error) {
			if p := *at(c); p != nil {
				return []string{strconv.Itoa(*p)}, nil
			}
			return nil, nil
		},
		get: func(c *oauth.Client, values []string) error {
			v, err := single(values)
			if err != nil {
				return err
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("%q is not an integer", v)
			}
			*at(c) = &n
			return nil
		},
	}
}

// stamp is a GeneralizedTime; the zero time is written as no value.
// Written in UTC to the second; read in any form RFC 4517 §3.3.13 allows
// with seconds: "Z" or an offset, with or without a fraction.
func stamp(attr string, at func(*oauth.Client) *time.Time) field {
	return field{
		attr: attr,
		put: func(c *oauth.Client) ([]string, error) {
			if t := *at(c); !t.IsZero() {
				return []string{formatGeneralizedTime(t)}, nil
			}
			return nil, nil
		},
		get: func(c *oauth.Client, values []string) error {
			v, err := single(values)
			if err != nil {
				return err
			}
			// Go's parser takes a fraction after the seconds without being told.
			t, err := time.Parse("20060102150405Z0700", v)
			if err != nil {
				return fmt.Errorf("%q is not a GeneralizedTime", v)
			}
			*at(c) = t.UTC()
			return nil
		},
	}
}

// jsonObject is a JSON object kept as text, byte for byte.
func jsonObject(attr string, at func(*oauth.Client) *[]byte) field {
	return field{
		attr: attr,
		put: func(c *oauth.Client) ([]string, error) {
			raw := *at(c)
			if len(raw) == 0 {
				return nil, nil
			}
			if !isJSONObject(raw) {
				return nil, errors.New("not a JSON object")
			}
			return []string{string(raw)}, nil
		},
		get: func(c *oauth.Client, values []string) error {
			v, err := single(values)
			if err != nil {
				return err
			}
			if !isJSONObject([]byte(v)) {
				return errors.New("not a JSON object")
			}
			*at(c) = []byte(v)
			return nil
		},
	}
}

// single returns the one value of a single-valued attribute.
func single(values []string) (string, error) {
	if len(values) != 1 {
		return "", fmt.Errorf("holds %d values where one was expected", len(values))
	}
	return values[0], nil
}

func isJSONObject(raw []byte) bool {
	trimmed := bytes.TrimLeft(raw, " \t\r\n")
	return len(trimmed) > 0 && trimmed[0] == '{' && json.Valid(raw)
}
