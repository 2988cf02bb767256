package main

// Test double for pulumi-docker 5.2.0: Image, RegistryImage and RemoteImage.
// Nothing is built, pushed or pulled and no Docker daemon is contacted.
// Digests are sha256 sums of the resource's inputs, so they are stable for
// unchanged inputs and change when the inputs change, as a rebuild would.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// digestOf returns "sha256:<hex>" over the JSON form of the given inputs.
func digestOf(salt string, in resource.PropertyMap, keys ...string) string {
	sub := map[string]any{}
	for _, k := range keys {
		if v, ok := in[resource.PropertyKey(k)]; ok {
			sub[k] = unwrapAll(v).Mappable()
		}
	}
	b, _ := json.Marshal(sub) // map keys are sorted by encoding/json
	sum := sha256.Sum256(append([]byte(salt+"\x00"), b...))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// unwrapAll strips secret wrappers at every level.
func unwrapAll(v resource.PropertyValue) resource.PropertyValue {
	v = unwrap(v)
	switch {
	case v.IsObject():
		out := resource.PropertyMap{}
		for k, e := range v.ObjectValue() {
			out[k] = unwrapAll(e)
		}
		return resource.NewObjectProperty(out)
	case v.IsArray():
		var out []resource.PropertyValue
		for _, e := range v.ArrayValue() {
			out = append(out, unwrapAll(e))
		}
		return resource.NewArrayProperty(out)
	}
	return v
}

// repository strips the tag (and any digest) from an image reference.
func repository(image string) string {
	if i := strings.Index(image, "@"); i >= 0 {
		image = image[:i]
	}
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		image = image[:i]
	}
	return image
}

// registryHost is the registry part of an image reference ("docker.io" when
// the reference has none), as the real provider derives registryServer.
func registryHost(image string) string {
	if i := strings.Index(image, "/"); i > 0 {
		first := image[:i]
		if strings.ContainsAny(first, ".:") || first == "localhost" {
			return first
		}
	}
	return "docker.io"
}

func imageOutputs(in resource.PropertyMap, preview bool) resource.PropertyMap {
	name := str(in, "imageName")
	build := resource.PropertyMap{}
	if v := unwrap(in["build"]); v.IsObject() {
		build = v.ObjectValue()
	}
	context := str(build, "context")
	if context == "" {
		context = "."
	}
	dockerfile := str(build, "dockerfile")
	if dockerfile == "" {
		dockerfile = "Dockerfile"
	}
	server := registryHost(name)
	if v := unwrap(in["registry"]); v.IsObject() && str(v.ObjectValue(), "server") != "" {
		server = str(v.ObjectValue(), "server")
	}
	out := resource.PropertyMap{
		"baseImageName":  in["imageName"],
		"imageName":      in["imageName"],
		"context":        resource.NewStringProperty(context),
		"dockerfile":     resource.NewStringProperty(dockerfile),
		"registryServer": resource.NewStringProperty(server),
	}
	if p := str(build, "platform"); p != "" {
		out["platform"] = resource.NewStringProperty(p)
	}
	if (preview && !boolean(in, "buildOnPreview", false)) || anyUnknown(in, "imageName", "build") {
		out["repoDigest"] = unknown()
		return out
	}
	digest := digestOf("image", in, "imageName", "build")
	if boolean(in, "skipPush", false) {
		// Local-only images: the image id.
		out["repoDigest"] = resource.NewStringProperty(digest)
	} else {
		out["repoDigest"] = resource.NewStringProperty(repository(name) + "@" + digest)
	}
	return out
}

func dockerKinds() map[string]*resourceKind {
	return map[string]*resourceKind{
		"docker:index/image:Image": {
			required: []string{"imageName"},
			// A changed build or name rebuilds (and re-pushes) in place.
			create: func(in resource.PropertyMap, preview bool) (string, resource.PropertyMap, error) {
				return str(in, "imageName"), imageOutputs(in, preview), nil
			},
			update: func(_ string, _, in resource.PropertyMap, preview bool) (resource.PropertyMap, error) {
				return imageOutputs(in, preview), nil
			},
		},
		"docker:index/registryImage:RegistryImage": {
			required:  []string{"name"},
			replaceOn: []string{"name", "triggers"},
			create: func(in resource.PropertyMap, preview bool) (string, resource.PropertyMap, error) {
				if preview || anyUnknown(in, "name", "triggers") {
					return "", resource.PropertyMap{"sha256Digest": unknown()}, nil
				}
				d := digestOf("registry", in, "name", "triggers")
				return d, resource.PropertyMap{"sha256Digest": resource.NewStringProperty(d)}, nil
			},
		},
		"docker:index/remoteImage:RemoteImage": {
			required:  []string{"name"},
			replaceOn: []string{"name", "build", "platform", "pullTriggers", "triggers"},
			create: func(in resource.PropertyMap, preview bool) (string, resource.PropertyMap, error) {
				if preview || anyUnknown(in, "name", "build", "platform") {
					return "", resource.PropertyMap{"imageId": unknown(), "repoDigest": unknown()}, nil
				}
				imageID := digestOf("image-id", in, "name", "build", "platform")
				manifest := digestOf("manifest", in, "name", "build", "platform")
				name := str(in, "name")
				return imageID + name, resource.PropertyMap{
					"imageId":    resource.NewStringProperty(imageID),
					"repoDigest": resource.NewStringProperty(repository(name) + "@" + manifest),
				}, nil
			},
		},
	}
}
