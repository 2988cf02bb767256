package main

// Test double for pulumi-github 6.15.0: the four resource types Converge-NPS
// uses. Nothing is sent to GitHub. Ids have the real provider's shape
// (`repo:env`, `repo:env:policyId`, `repo:env:name`); repositoryId is a
// stable number derived from the repository name, policyId a random number,
// createdAt/updatedAt the time of the operation. Changing the repository,
// environment or secret/variable name replaces the resource; other inputs
// update it in place.
//
// Data sources: getTeam and getUser, which the program uses to turn reviewer
// team slugs and user logins into the numeric ids RepositoryEnvironment
// wants. Every slug and login exists; the id is a stable number derived from
// it, returned as a string like the real provider's `id`.

import (
	"crypto/rand"
	"fmt"
	"hash/fnv"
	"math/big"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

func repositoryID(repo string) resource.PropertyValue {
	h := fnv.New32a()
	_, _ = h.Write([]byte(repo))
	return resource.NewNumberProperty(float64(100000000 + h.Sum32()%900000000))
}

func now() resource.PropertyValue {
	return resource.NewStringProperty(time.Now().UTC().Format(time.RFC3339))
}

func requireKnown(in resource.PropertyMap, keys ...string) error {
	for _, k := range keys {
		if in[resource.PropertyKey(k)].ContainsUnknowns() || str(in, k) == "" {
			return fmt.Errorf("%s must be a known, non-empty string", k)
		}
	}
	return nil
}

// timestamped keeps createdAt and repositoryId, and stamps updatedAt.
func timestamped(_ string, olds, _ resource.PropertyMap, preview bool) (resource.PropertyMap, error) {
	out := resource.PropertyMap{}
	for _, k := range []resource.PropertyKey{"createdAt", "repositoryId", "policyId"} {
		if v, ok := olds[k]; ok {
			out[k] = v
		}
	}
	if _, has := olds["updatedAt"]; has {
		if preview {
			out["updatedAt"] = unknown()
		} else {
			out["updatedAt"] = now()
		}
	}
	if v, ok := olds["remoteUpdatedAt"]; ok {
		out["remoteUpdatedAt"] = v
	}
	return out, nil
}

func githubKinds() map[string]*resourceKind {
	return map[string]*resourceKind{
		"github:index/repositoryEnvironment:RepositoryEnvironment": {
			required:  []string{"repository", "environment"},
			replaceOn: []string{"repository", "environment"},
			create: func(in resource.PropertyMap, preview bool) (string, resource.PropertyMap, error) {
				if preview {
					return "", resource.PropertyMap{"repositoryId": unknown()}, nil
				}
				if err := requireKnown(in, "repository", "environment"); err != nil {
					return "", nil, err
				}
				id := str(in, "repository") + ":" + str(in, "environment")
				return id, resource.PropertyMap{"repositoryId": repositoryID(str(in, "repository"))}, nil
			},
			update: timestamped,
		},
		"github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": {
			required:  []string{"repository", "environment"},
			replaceOn: []string{"repository", "environment"},
			create: func(in resource.PropertyMap, preview bool) (string, resource.PropertyMap, error) {
				if preview {
					return "", resource.PropertyMap{"policyId": unknown(), "repositoryId": unknown()}, nil
				}
				if err := requireKnown(in, "repository", "environment"); err != nil {
					return "", nil, err
				}
				if str(in, "branchPattern") == "" && str(in, "tagPattern") == "" {
					return "", nil, fmt.Errorf("one of branchPattern or tagPattern must be set")
				}
				n, err := rand.Int(rand.Reader, big.NewInt(900000000))
				if err != nil {
					return "", nil, err
				}
				policy := n.Int64() + 100000000
				id := strings.Join([]string{str(in, "repository"), str(in, "environment"),
					fmt.Sprint(policy)}, ":")
				return id, resource.PropertyMap{
					"policyId":     resource.NewNumberProperty(float64(policy)),
					"repositoryId": repositoryID(str(in, "repository")),
				}, nil
			},
			update: timestamped,
		},
		"github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret": {
			required:  []string{"repository", "environment", "secretName"},
			replaceOn: []string{"repository", "environment", "secretName"},
			// The value inputs arrive as secrets from the SDK and stay
			// secrets in the outputs (they are echoed with their wrapper).
			secretOutputs: []string{"plaintextValue", "encryptedValue", "value", "valueEncrypted"},
			create: func(in resource.PropertyMap, preview bool) (string, resource.PropertyMap, error) {
				if preview {
					return "", resource.PropertyMap{
						"createdAt": unknown(), "updatedAt": unknown(), "remoteUpdatedAt": unknown(),
						"repositoryId": unknown(),
					}, nil
				}
				if err := requireKnown(in, "repository", "environment", "secretName"); err != nil {
					return "", nil, err
				}
				t := now()
				id := strings.Join([]string{str(in, "repository"), str(in, "environment"), str(in, "secretName")}, ":")
				return id, resource.PropertyMap{
					"createdAt": t, "updatedAt": t, "remoteUpdatedAt": t,
					"repositoryId": repositoryID(str(in, "repository")),
				}, nil
			},
			update: timestamped,
		},
		"github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable": {
			required:  []string{"repository", "environment", "variableName", "value"},
			replaceOn: []string{"repository", "environment", "variableName"},
			create: func(in resource.PropertyMap, preview bool) (string, resource.PropertyMap, error) {
				if preview {
					return "", resource.PropertyMap{
						"createdAt": unknown(), "updatedAt": unknown(), "repositoryId": unknown(),
					}, nil
				}
				if err := requireKnown(in, "repository", "environment", "variableName"); err != nil {
					return "", nil, err
				}
				t := now()
				id := strings.Join([]string{str(in, "repository"), str(in, "environment"), str(in, "variableName")}, ":")
				return id, resource.PropertyMap{
					"createdAt": t, "updatedAt": t, "repositoryId": repositoryID(str(in, "repository")),
				}, nil
			},
			update: timestamped,
		},
	}
}

// stableID is a GitHub-like numeric id (as the decimal string the real data
// sources return), the same for the same kind and name in every run.
func stableID(kind, name string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(kind + "/" + name))
	return fmt.Sprint(1000000 + h.Sum32()%90000000)
}

// githubFunctions are the data sources the program invokes. Only the outputs
// the double can derive are returned (the id, the name looked up, and the
// arguments echoed as the real results do); descriptive outputs the real data
// sources read from GitHub (team name, description, members, a user's
// profile) are absent, i.e. null.
func githubFunctions() map[string]*function {
	return map[string]*function{
		"github:index/getTeam:getTeam": {
			required: []string{"slug"},
			call: func(args resource.PropertyMap) (resource.PropertyMap, error) {
				slug := str(args, "slug")
				out := resource.PropertyMap{
					"id":             resource.NewStringProperty(stableID("team", slug)),
					"slug":           resource.NewStringProperty(slug),
					"summaryOnly":    resource.NewBoolProperty(boolean(args, "summaryOnly", false)),
					"membershipType": resource.NewStringProperty("all"),
					"resultsPerPage": resource.NewNumberProperty(num(args, "resultsPerPage", 100)),
				}
				if m := str(args, "membershipType"); m != "" {
					out["membershipType"] = resource.NewStringProperty(m)
				}
				return out, nil
			},
		},
		"github:index/getUser:getUser": {
			required: []string{"username"},
			call: func(args resource.PropertyMap) (resource.PropertyMap, error) {
				login := str(args, "username")
				return resource.PropertyMap{
					"id":       resource.NewStringProperty(stableID("user", login)),
					"login":    resource.NewStringProperty(login),
					"username": resource.NewStringProperty(login),
				}, nil
			},
		},
	}
}
