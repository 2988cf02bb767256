// Command converge-language-python is Converge-NPS's own minimal Python
// language host for the Pulumi engine. It is installed next to the engine as
// `pulumi-language-python`, the name the CLI looks for.
//
// Why it exists: the upstream host (module
// github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3) is not
// served by the Go module proxy reachable from our build machines (its
// @v/list, @latest and pseudo-version lookups all answer 403), so it cannot be
// built here. Everything else in the chain is upstream code: the CLI and
// engine (pkg/v3), the program executor `pulumi-language-python-exec`, the
// dynamic-provider host `pulumi-resource-pulumi-python`, the Python SDK, and
// the Python toolchain / policy-proxy libraries from sdk/v3 that this file
// calls. This host only launches Python with the arguments and environment
// that `pulumi-language-python-exec` and `python -m pulumi.policy` expect.
//
// It is NOT a test double: it runs the real program. It implements the
// LanguageRuntime RPCs a preview/up/refresh/destroy and a policy-pack run
// need (Handshake, GetRequiredPackages, Run, RunPlugin, InstallDependencies,
// About, GetProgramDependencies, GetPluginInfo, Cancel); code generation,
// packing and linking (`pulumi convert`, `package gen-sdk`, ...) answer
// Unimplemented. On a machine with an installed Pulumi CLI,
// scripts/build-engine.sh uses that CLI and its own host instead.
// See docs/engine.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// hostVersion is what GetPluginInfo reports: the engine version this host is
// built with, plus build metadata that marks it as ours.
const hostVersion = "+converge"

// Exit code with which pulumi-language-python-exec says "I already showed the
// user an actionable error message"; the engine should then just bail.
const execShownUserMessage = 32

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	tracing := flag.String("tracing", "", "Zipkin-compatible tracing endpoint, passed on to the program")
	executor := flag.String("use-executor", "", "path of pulumi-language-python-exec (default: next to this binary)")
	flag.Parse()
	if *showVersion {
		fmt.Println(pluginVersion())
		return
	}
	logging.InitLogging(false, 0, false)

	execPath := *executor
	if execPath == "" {
		self, err := os.Executable()
		if err != nil {
			cmdutil.Exit(fmt.Errorf("locating this executable: %w", err))
		}
		execPath = filepath.Join(filepath.Dir(self), "pulumi-language-python-exec")
	}
	if _, err := os.Stat(execPath); err != nil {
		cmdutil.Exit(fmt.Errorf("missing program executor: %w", err))
	}

	var engineAddr string
	if args := flag.Args(); len(args) > 0 {
		engineAddr = args[0]
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cancel := make(chan bool)
	go func() { <-ctx.Done(); close(cancel) }()

	if engineAddr != "" {
		// Exit when the engine goes away, as every plugin must.
		if err := rpcutil.Healthcheck(ctx, engineAddr, 5*time.Minute, stop); err != nil {
			cmdutil.Exit(fmt.Errorf("starting engine health check: %w", err))
		}
	}

	h := newHost(execPath, engineAddr, *tracing)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("starting language host server: %w", err))
	}
	// The engine reads our port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host stopped: %w", err))
	}
}

func pluginVersion() string {
	v := version.Version
	if v == "" {
		v = "3.0.0"
	}
	return v + hostVersion
}

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	execPath string
	tracing  string

	mu         sync.Mutex
	engineAddr string

	runCtx    context.Context // cancelled by the Cancel RPC
	cancelRun context.CancelFunc
}

func newHost(execPath, engineAddr, tracing string) *host {
	ctx, cancel := context.WithCancel(context.Background())
	return &host{execPath: execPath, engineAddr: engineAddr, tracing: tracing, runCtx: ctx, cancelRun: cancel}
}

func (h *host) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddr
}

// options turns the `runtime.options` of Pulumi.yaml (or PulumiPolicy.yaml)
// into the sdk's toolchain options. Plugins (kind != program) default to a
// `venv` virtualenv, as upstream does; programs may run on the ambient python.
func options(info *pulumirpc.ProgramInfo, plugin bool) (toolchain.PythonOptions, error) {
	o := toolchain.PythonOptions{Root: info.GetRootDirectory(), ProgramDir: info.GetProgramDirectory()}
	raw := map[string]any{}
	if info.GetOptions() != nil {
		raw = info.GetOptions().AsMap()
	}
	str := func(k string) (string, error) {
		v, ok := raw[k]
		if !ok {
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("runtime option %q must be a string", k)
		}
		return s, nil
	}
	var err error
	if o.Virtualenv, err = str("virtualenv"); err != nil {
		return o, err
	}
	tc, err := str("toolchain")
	if err != nil {
		return o, err
	}
	switch tc {
	case "":
		o.Toolchain = toolchain.Auto
	case "pip":
		o.Toolchain = toolchain.Pip
	case "uv":
		o.Toolchain = toolchain.Uv
	case "poetry":
		o.Toolchain = toolchain.Poetry
	default:
		return o, fmt.Errorf("unsupported toolchain %q", tc)
	}
	tcheck, err := str("typechecker")
	if err != nil {
		return o, err
	}
	if tcheck != "" {
		// Type-checking before every run is a developer convenience we do not
		// need in the engine tests; say so instead of silently skipping it.
		return o, fmt.Errorf("runtime option typechecker=%q is not supported by converge-language-python", tcheck)
	}
	if plugin && o.Virtualenv == "" && (o.Toolchain == toolchain.Auto || o.Toolchain == toolchain.Pip) {
		o.Virtualenv = "venv"
	}
	return o, nil
}

func resolve(info *pulumirpc.ProgramInfo, plugin bool) (toolchain.Toolchain, error) {
	o, err := options(info, plugin)
	if err != nil {
		return nil, err
	}
	return toolchain.ResolveToolchain(o)
}

func (h *host) Handshake(ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	h.engineAddr = req.GetEngineAddress()
	h.mu.Unlock()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: pluginVersion()}, nil
}

func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancelRun()
	return &emptypb.Empty{}, nil
}

// listPluginsPy prints, as JSON, the pulumi-plugin.json of every installed
// distribution that ships one. Run with the program's python.
const listPluginsPy = `
import json, importlib.metadata as md
out = []
for dist in md.distributions():
    for f in dist.files or []:
        if f.name != "pulumi-plugin.json":
            continue
        try:
            data = json.loads(f.read_text())
        except Exception:
            continue
        data["_dist"] = dist.metadata["Name"]
        data["_dist_version"] = dist.version
        out.append(data)
print(json.dumps(out))
`

type pluginJSON struct {
	Resource         bool   `json:"resource"`
	Name             string `json:"name"`
	Version          string `json:"version"`
	Server           string `json:"server"`
	Parameterization *struct {
		Name    string `json:"name"`
		Version string `json:"version"`
		Value   []byte `json:"value"`
	} `json:"parameterization"`
	Dist        string `json:"_dist"`
	DistVersion string `json:"_dist_version"`
}

// GetRequiredPackages reports the provider plugins the program's Python
// packages declare in their pulumi-plugin.json files, so the engine can check
// (and, where allowed, install) them before running the program.
func (h *host) GetRequiredPackages(ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	tc, err := resolve(req.GetInfo(), false)
	if err != nil {
		return nil, err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, err
	}
	cmd, err := tc.Command(ctx, "-c", listPluginsPy)
	if err != nil {
		return nil, err
	}
	cmd.Dir = req.GetInfo().GetProgramDirectory()
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing installed Pulumi packages: %w", err)
	}
	var plugins []pluginJSON
	if err := json.Unmarshal(out, &plugins); err != nil {
		return nil, fmt.Errorf("reading installed Pulumi packages: %w", err)
	}
	resp := &pulumirpc.GetRequiredPackagesResponse{}
	for _, p := range plugins {
		if !p.Resource || p.Version == "" {
			continue
		}
		name := p.Name
		if name == "" {
			continue
		}
		v := p.Version
		if v[0] != 'v' {
			v = "v" + v
		}
		dep := &pulumirpc.PackageDependency{Kind: string(apitype.ResourcePlugin), Name: name, Version: v, Server: p.Server}
		if p.Parameterization != nil {
			dep.Parameterization = &pulumirpc.PackageParameterization{
				Name: p.Parameterization.Name, Version: p.Parameterization.Version, Value: p.Parameterization.Value,
			}
		}
		resp.Packages = append(resp.Packages, dep)
	}
	return resp, nil
}

// Run executes the program through pulumi-language-python-exec, which
// connects the Python SDK to the engine's resource monitor.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	tc, err := resolve(info, false)
	if err != nil {
		return nil, err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, err
	}

	args := []string{h.execPath}
	flagArg := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flagArg("monitor", req.GetMonitorAddress())
	flagArg("engine", h.engine())
	flagArg("project", req.GetProject())
	flagArg("root_directory", info.GetRootDirectory())
	flagArg("stack", req.GetStack())
	flagArg("pwd", req.GetPwd())
	flagArg("dry_run", strconv.FormatBool(req.GetDryRun()))
	flagArg("parallel", strconv.Itoa(int(req.GetParallel())))
	flagArg("tracing", h.tracing)
	flagArg("organization", req.GetOrganization())
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	cfg, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, fmt.Errorf("encoding config: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	skeys, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("encoding secret config keys: %w", err)
	}

	runCtx, stop := context.WithCancel(h.runCtx)
	defer stop()
	context.AfterFunc(ctx, stop)
	cmd, err := tc.Command(runCtx, args...)
	if err != nil {
		return nil, err
	}
	cmd.Dir = info.GetProgramDirectory()
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	// The engine reads our stdout/stderr as the program's output.
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	if req.GetConfig() != nil {
		env = append(env, "PULUMI_CONFIG="+string(cfg))
	}
	cmd.Env = append(env, "PULUMI_CONFIG_SECRET_KEYS="+string(skeys))

	err = cmd.Run()
	_ = os.Stdout.Sync()
	_ = os.Stderr.Sync()
	if err == nil {
		return &pulumirpc.RunResponse{}, nil
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Exited() {
			if ws.ExitStatus() == execShownUserMessage {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited with non-zero exit code: %d",
				ws.ExitStatus())}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited unexpectedly: %v", exitErr)}, nil
	}
	return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run the program executor: %v", err)}, nil
}

// RunPlugin runs a Python plugin. The engine uses it for Python policy packs
// (kind "analyzer"): they start as `python -u -m pulumi.policy <engine>
// <pack dir>` in the pack's directory, behind the sdk's PolicyProxy, which
// answers the engine's handshake and stack configuration and hands them to
// the pack through PULUMI_* environment variables. Other kinds run the
// plugin directory's __main__.py.
func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, srv grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	ctx := srv.Context()
	info := req.GetInfo()
	analyzer := req.GetKind() == string(apitype.AnalyzerPlugin)
	tc, err := resolve(info, !analyzer)
	if err != nil {
		return err
	}
	var args []string
	if analyzer {
		args = append([]string{"-u", "-m", "pulumi.policy"}, req.GetArgs()...)
		args = append(args, info.GetProgramDirectory())
	} else {
		args = append([]string{info.GetProgramDirectory()}, req.GetArgs()...)
	}
	cmd, err := tc.Command(ctx, args...)
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(srv, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	var proxy *sdk.PolicyProxy
	if analyzer {
		cmd.Dir = info.GetProgramDirectory()
		proxy, stdout, err = sdk.NewPolicyProxy(ctx, stdout)
		if err != nil {
			return fmt.Errorf("starting policy proxy: %w", err)
		}
		cfg, err := proxy.AwaitConfiguration(ctx)
		if err != nil {
			return fmt.Errorf("waiting for stack configuration: %w", err)
		}
		if cfg != nil {
			set := func(k, v string) {
				if v != "" {
					cmd.Env = append(cmd.Env, k+"="+v)
				}
			}
			set("PULUMI_ORGANIZATION", cfg.GetOrganization())
			set("PULUMI_PROJECT", cfg.GetProject())
			set("PULUMI_STACK", cfg.GetStack())
			set("PULUMI_DRY_RUN", strconv.FormatBool(cfg.GetDryRun()))
			if cfg.GetConfig() != nil {
				b, err := json.Marshal(cfg.GetConfig())
				if err != nil {
					return fmt.Errorf("encoding stack configuration: %w", err)
				}
				set("PULUMI_CONFIG", string(b))
			}
		}
	} else {
		cmd.Dir = req.GetPwd()
	}
	cmd.Env = append(cmd.Env, req.GetEnv()...)
	cmd.Stdout, cmd.Stderr = stdout, stderr

	if err := cmd.Start(); err != nil {
		if proxy != nil {
			proxy.Abort(err)
		}
		return fmt.Errorf("starting plugin: %w", err)
	}
	if proxy != nil {
		err = proxy.Attach(ctx, cmd) // waits for the process
	} else {
		err = cmd.Wait()
	}
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok {
				return srv.Send(&pulumirpc.RunPluginResponse{
					Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(ws.ExitStatus())},
				})
			}
		}
		return fmt.Errorf("running plugin: %w", err)
	}
	return closer.Close()
}

// InstallDependencies installs requirements.txt (or the uv/poetry project)
// into the configured virtualenv, for `pulumi install`.
func (h *host) InstallDependencies(req *pulumirpc.InstallDependenciesRequest,
	srv grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	tc, err := resolve(req.GetInfo(), req.GetIsPlugin())
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(srv, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()
	if err := tc.InstallDependencies(srv.Context(), req.GetInfo().GetProgramDirectory(),
		req.GetUseLanguageVersionTools(), true, stdout, stderr); err != nil {
		return err
	}
	return closer.Close()
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	info := req.GetInfo()
	if info == nil {
		info = &pulumirpc.ProgramInfo{}
	}
	o, err := options(info, false)
	if err != nil {
		return nil, err
	}
	tc, err := toolchain.ResolveToolchain(o)
	if err != nil {
		return nil, err
	}
	about, err := tc.About(ctx)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{
		Executable: about.PythonExecutable,
		Version:    about.PythonVersion.String(),
		Metadata: map[string]string{
			"toolchain":     toolchain.Name(o.Toolchain),
			"languageHost":  "converge-language-python " + pluginVersion(),
			"toolchainVers": about.ToolchainVersion.String(),
		},
	}, nil
}

func (h *host) GetProgramDependencies(ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	tc, err := resolve(req.GetInfo(), false)
	if err != nil {
		return nil, err
	}
	pkgs, err := tc.ListPackages(ctx, req.GetTransitiveDependencies())
	if err != nil {
		return nil, fmt.Errorf("listing python packages: %w", err)
	}
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	for _, p := range pkgs {
		resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version})
	}
	return resp, nil
}

// GetRequiredPlugins is the deprecated predecessor of GetRequiredPackages;
// the engine falls back to it only when GetRequiredPackages is unimplemented.
func (h *host) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return nil, status.Error(codes.Unimplemented, "use GetRequiredPackages")
}
