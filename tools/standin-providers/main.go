// Command standin-providers is a TEST DOUBLE. It stands in for the Pulumi
// provider plugins pulumi-random (4.21.4), pulumi-github (6.15.0) and
// pulumi-docker (5.2.0) when Converge-NPS runs the real Pulumi engine on
// machines where those plugins cannot be had: they cannot be built from the Go
// module proxy, the github provider looks up its owner on the network when it
// is configured, and the docker provider needs a Docker daemon.
//
// It is never a substitute for the real providers in a real deployment. It
// speaks the engine's ResourceProvider gRPC protocol and, for the resource
// types Converge-NPS uses, returns the inputs it was given plus the outputs
// the real resource computes, with the same property names, secrecy, ids and
// replace-vs-update behaviour (see README.md for the exact list):
//
//   - random: RandomBytes, RandomPassword, RandomId, RandomString generate
//     real random values with crypto/rand (bcrypt for RandomPassword.bcryptHash);
//   - github: RepositoryEnvironment, RepositoryEnvironmentDeploymentPolicy,
//     ActionsEnvironmentSecret, ActionsEnvironmentVariable are recorded
//     without calling GitHub; ids have the real provider's shape; the data
//     sources getTeam and getUser answer deterministic numeric ids;
//   - docker: Image, RegistryImage, RemoteImage are recorded without building,
//     pushing or pulling anything; digests are derived from the inputs.
//
// Which provider it plays is chosen by the name it is invoked as
// (pulumi-resource-random, pulumi-resource-github, pulumi-resource-docker:
// `pulumi plugin install resource <name> <version> --file <this binary>`
// installs it under that name), or by CONVERGE_STANDIN_PROVIDER.
//
// If CONVERGE_STANDIN_LOG names a file, every non-preview Create, Update,
// Delete and Read is appended to it as one JSON line, so tests can count
// mutations.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// resourceKind describes one resource type the double supports.
type resourceKind struct {
	// required input properties (Check fails without them).
	required []string
	// defaults applied by Check, as the real provider's schema does.
	defaults resource.PropertyMap
	// replaceOn lists the inputs whose change forces a replacement; "*"
	// means every input does.
	replaceOn []string
	// secretOutputs are computed outputs the real provider marks secret.
	secretOutputs []string
	// create computes the id and the computed outputs. In a preview, values
	// not known before creation are returned as unknowns.
	create func(in resource.PropertyMap, preview bool) (string, resource.PropertyMap, error)
	// update recomputes outputs after an in-place update; nil keeps the old
	// computed outputs.
	update func(id string, olds, in resource.PropertyMap, preview bool) (resource.PropertyMap, error)
}

// function is one invoke (data source) the double answers.
type function struct {
	// required arguments (the invoke fails without them, as with the real
	// provider's schema).
	required []string
	// call returns the data source's outputs for its arguments.
	call func(args resource.PropertyMap) (resource.PropertyMap, error)
}

type personality struct {
	name      string
	version   string
	kinds     map[string]*resourceKind
	functions map[string]*function
}

var personalities = map[string]*personality{
	"random": {name: "random", version: "4.21.4", kinds: randomKinds()},
	"github": {name: "github", version: "6.15.0", kinds: githubKinds(), functions: githubFunctions()},
	"docker": {name: "docker", version: "5.2.0", kinds: dockerKinds()},
}

func main() {
	name := os.Getenv("CONVERGE_STANDIN_PROVIDER")
	if name == "" {
		name = strings.TrimSuffix(strings.TrimPrefix(filepath.Base(os.Args[0]), "pulumi-resource-"), ".exe")
	}
	p, ok := personalities[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "standin-providers (test double): unknown provider %q; invoke as "+
			"pulumi-resource-{random,github,docker} or set CONVERGE_STANDIN_PROVIDER\n", name)
		os.Exit(2)
	}
	err := provider.Main(p.name, func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return &server{p: p}, nil
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "standin-providers (test double) %s: %v\n", name, err)
		os.Exit(1)
	}
}

type server struct {
	pulumirpc.UnimplementedResourceProviderServer

	p             *personality
	mu            sync.Mutex
	acceptSecrets bool
}

func (s *server) kind(typ string) (*resourceKind, error) {
	k, ok := s.p.kinds[typ]
	if !ok {
		return nil, status.Errorf(codes.Unimplemented,
			"%s stand-in provider (test double) does not implement resource type %s", s.p.name, typ)
	}
	return k, nil
}

func unmarshal(st *structpb.Struct) (resource.PropertyMap, error) {
	if st == nil {
		return resource.PropertyMap{}, nil
	}
	return plugin.UnmarshalProperties(st, plugin.MarshalOptions{
		KeepUnknowns: true, KeepSecrets: true, SkipNulls: true, KeepOutputValues: false,
	})
}

func (s *server) marshal(props resource.PropertyMap) (*structpb.Struct, error) {
	s.mu.Lock()
	keepSecrets := s.acceptSecrets
	s.mu.Unlock()
	return plugin.MarshalProperties(props, plugin.MarshalOptions{
		KeepUnknowns: true, KeepSecrets: keepSecrets, SkipNulls: true,
	})
}

// record appends one JSON line per real (non-preview) operation to
// $CONVERGE_STANDIN_LOG.
func (s *server) record(op, typ, urn, id string) {
	path := os.Getenv("CONVERGE_STANDIN_LOG")
	if path == "" {
		return
	}
	line, _ := json.Marshal(map[string]string{
		"provider": s.p.name, "op": op, "type": typ, "urn": urn, "id": id,
		"time": time.Now().UTC().Format(time.RFC3339Nano),
	})
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = f.Write(append(line, '\n'))
}

func (s *server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: s.p.version}, nil
}

func (s *server) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	b, _ := json.Marshal(map[string]any{
		"name": s.p.name, "version": s.p.version,
		"description": "stand-in provider (test double) for pulumi-" + s.p.name,
	})
	return &pulumirpc.GetSchemaResponse{Schema: string(b)}, nil
}

func (s *server) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (s *server) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := unmarshal(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	if req.GetOldInputs() == nil {
		if olds, err = unmarshal(req.GetOlds()); err != nil {
			return nil, err
		}
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	changed := changedKeys(olds, news)
	if len(changed) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: changed}, nil
}

func (s *server) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	s.mu.Lock()
	s.acceptSecrets = req.GetAcceptSecrets()
	s.mu.Unlock()
	// The real github provider looks the owner up on the network here, and
	// the real docker provider pings its daemon. The double does neither.
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

func (s *server) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	k, err := s.kind(req.GetType())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	for key, v := range k.defaults {
		if _, has := news[resource.PropertyKey(key)]; !has {
			news[key] = v
		}
	}
	var failures []*pulumirpc.CheckFailure
	for _, r := range k.required {
		if v, has := news[resource.PropertyKey(r)]; !has || v.IsNull() {
			failures = append(failures, &pulumirpc.CheckFailure{
				Property: r, Reason: fmt.Sprintf("Missing required argument: %q", r),
			})
		}
	}
	in, err := s.marshal(news)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: in, Failures: failures}, nil
}

// changedKeys lists the top-level keys whose values differ, in order.
func changedKeys(olds, news resource.PropertyMap) []string {
	seen := map[resource.PropertyKey]bool{}
	var out []string
	for _, m := range []resource.PropertyMap{olds, news} {
		for key := range m {
			if seen[key] || strings.HasPrefix(string(key), "__") {
				continue
			}
			seen[key] = true
			o, hasO := olds[key]
			n, hasN := news[key]
			if hasO != hasN || n.ContainsUnknowns() || !unwrap(o).DeepEquals(unwrap(n)) {
				if hasO && hasN && o.IsNull() && n.IsNull() {
					continue
				}
				out = append(out, string(key))
			}
		}
	}
	sort.Strings(out)
	return out
}

func (s *server) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	k, err := s.kind(req.GetType())
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	if req.GetOldInputs() == nil {
		// Very old engines send no old inputs: fall back to the state,
		// restricted to the keys the new inputs have.
		state, err := unmarshal(req.GetOlds())
		if err != nil {
			return nil, err
		}
		news, _ := unmarshal(req.GetNews())
		olds = resource.PropertyMap{}
		for key := range news {
			if v, ok := state[key]; ok {
				olds[key] = v
			}
		}
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	ignore := map[string]bool{}
	for _, key := range req.GetIgnoreChanges() {
		ignore[key] = true
	}
	var diffs, replaces []string
	detailed := map[string]*pulumirpc.PropertyDiff{}
	for _, key := range changedKeys(olds, news) {
		if ignore[key] {
			continue
		}
		diffs = append(diffs, key)
		replace := false
		for _, r := range k.replaceOn {
			if r == "*" || r == key {
				replace = true
			}
		}
		_, hasO := olds[resource.PropertyKey(key)]
		_, hasN := news[resource.PropertyKey(key)]
		kind := pulumirpc.PropertyDiff_UPDATE
		switch {
		case !hasO && replace:
			kind = pulumirpc.PropertyDiff_ADD_REPLACE
		case !hasO:
			kind = pulumirpc.PropertyDiff_ADD
		case !hasN && replace:
			kind = pulumirpc.PropertyDiff_DELETE_REPLACE
		case !hasN:
			kind = pulumirpc.PropertyDiff_DELETE
		case replace:
			kind = pulumirpc.PropertyDiff_UPDATE_REPLACE
		}
		if replace {
			replaces = append(replaces, key)
		}
		detailed[key] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	if len(diffs) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE, HasDetailedDiff: true}, nil
	}
	return &pulumirpc.DiffResponse{
		Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: diffs, Replaces: replaces,
		DetailedDiff: detailed, HasDetailedDiff: true,
	}, nil
}

// outputs merges the inputs and the computed outputs, marking the outputs
// the real provider treats as secret.
func outputs(k *resourceKind, in, computed resource.PropertyMap) resource.PropertyMap {
	out := in.Copy()
	for key, v := range computed {
		out[key] = v
	}
	for _, key := range k.secretOutputs {
		if v, ok := out[resource.PropertyKey(key)]; ok && !v.IsSecret() && !v.IsNull() {
			out[resource.PropertyKey(key)] = resource.MakeSecret(v)
		}
	}
	return out
}

func (s *server) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	k, err := s.kind(req.GetType())
	if err != nil {
		return nil, err
	}
	in, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	id, computed, err := k.create(in, req.GetPreview())
	if err != nil {
		return nil, err
	}
	props, err := s.marshal(outputs(k, in, computed))
	if err != nil {
		return nil, err
	}
	if req.GetPreview() {
		id = ""
	} else {
		s.record("create", req.GetType(), req.GetUrn(), id)
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, nil
}

func (s *server) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	k, err := s.kind(req.GetType())
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	in, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	computed := resource.PropertyMap{}
	if k.update != nil {
		if computed, err = k.update(req.GetId(), olds, in, req.GetPreview()); err != nil {
			return nil, err
		}
	} else {
		// Keep the previously computed outputs (the keys that are not inputs).
		oldIns, _ := unmarshal(req.GetOldInputs())
		for key, v := range olds {
			if _, isIn := oldIns[key]; !isIn {
				if _, isNewIn := in[key]; !isNewIn {
					computed[key] = v
				}
			}
		}
	}
	props, err := s.marshal(outputs(k, in, computed))
	if err != nil {
		return nil, err
	}
	if !req.GetPreview() {
		s.record("update", req.GetType(), req.GetUrn(), req.GetId())
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

// Read (refresh) reports the recorded state unchanged: the double has no
// remote system that could have drifted.
func (s *server) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	if _, err := s.kind(req.GetType()); err != nil {
		return nil, err
	}
	if req.GetProperties() == nil || len(req.GetProperties().GetFields()) == 0 {
		return nil, status.Errorf(codes.Unimplemented,
			"%s stand-in provider (test double) cannot import %s %q: it has no remote system to read",
			s.p.name, req.GetType(), req.GetId())
	}
	s.record("read", req.GetType(), req.GetUrn(), req.GetId())
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

func (s *server) Delete(_ context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	if _, err := s.kind(req.GetType()); err != nil {
		return nil, err
	}
	s.record("delete", req.GetType(), req.GetUrn(), req.GetId())
	return &emptypb.Empty{}, nil
}

// Invoke answers the data sources in the personality's functions; any other
// function is refused, so a program needing one fails loudly.
func (s *server) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	fn, ok := s.p.functions[req.GetTok()]
	if !ok {
		return nil, status.Errorf(codes.Unimplemented,
			"%s stand-in provider (test double) does not implement function %s", s.p.name, req.GetTok())
	}
	args, err := unmarshal(req.GetArgs())
	if err != nil {
		return nil, err
	}
	var failures []*pulumirpc.CheckFailure
	for _, r := range fn.required {
		if str(args, r) == "" {
			failures = append(failures, &pulumirpc.CheckFailure{
				Property: r, Reason: fmt.Sprintf("Missing required argument: %q", r),
			})
		}
	}
	if len(failures) > 0 {
		return &pulumirpc.InvokeResponse{Failures: failures}, nil
	}
	outs, err := fn.call(args)
	if err != nil {
		return nil, err
	}
	ret, err := s.marshal(outs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: ret}, nil
}

func (s *server) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// --- helpers for the resource kinds ---

// unwrap strips a secret wrapper.
func unwrap(v resource.PropertyValue) resource.PropertyValue {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	return v
}

func str(in resource.PropertyMap, key string) string {
	v := unwrap(in[resource.PropertyKey(key)])
	if v.IsString() {
		return v.StringValue()
	}
	return ""
}

func num(in resource.PropertyMap, key string, def float64) float64 {
	v := unwrap(in[resource.PropertyKey(key)])
	if v.IsNumber() {
		return v.NumberValue()
	}
	return def
}

func boolean(in resource.PropertyMap, key string, def bool) bool {
	v := unwrap(in[resource.PropertyKey(key)])
	if v.IsBool() {
		return v.BoolValue()
	}
	return def
}

// unknown is the engine's "known after apply" value.
func unknown() resource.PropertyValue {
	return resource.MakeComputed(resource.NewStringProperty(""))
}

// anyUnknown reports whether any of the named inputs is not yet known.
func anyUnknown(in resource.PropertyMap, keys ...string) bool {
	for _, k := range keys {
		if in[resource.PropertyKey(k)].ContainsUnknowns() {
			return true
		}
	}
	return false
}
