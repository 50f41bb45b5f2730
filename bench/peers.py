#!/usr/bin/env python3
"""Benchmark peer implementations (NumPy, ONNX Runtime, PyTorch) of the
crate's kernels on this machine and write the medians as CSV.

    python3 bench/peers.py --threads 1 --out bench/peers_1t.csv
    python3 bench/peers.py --threads 2 --out bench/peers_2t.csv
    python3 bench/peers.py --threads 1 --out /tmp/q.csv --quick
    python3 bench/peers.py --threads 1 --only head,dense --out bench/peers_head_1t.csv

On its first run the script makes its own virtualenv at bench/.venv, installs
numpy, onnxruntime, onnx, matplotlib, threadpoolctl and a CPU-usable torch
into it (PyPI only), then re-executes itself inside that venv. It is not part
of the crate's tests. See bench/README.md.

CSV columns: library,op,dtype,shape,threads,median_us,throughput,unit
Lines starting with '#' before the header carry the run's metadata (CPU,
library versions, thread count, whether OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE
were set, which call form each library's row used).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv"
VENV_PY = VENV / "bin" / "python"
MARKER = VENV / ".peers-setup.json"
SETUP_VERSION = 1

BASE_PKGS = ["numpy", "onnxruntime", "onnx", "matplotlib", "threadpoolctl"]

# PyPI's Linux torch wheel is a CUDA build. Its full dependency set (CUDA
# toolkit wheels, cuDNN, NCCL, NVSHMEM, cuSPARSELt, triton, ...) is ~2.8 GB.
# `pip install --no-deps torch` plus the pure-Python deps does NOT import:
# libtorch_cpu.so / libtorch_cuda.so list libcudart, libcupti, libcublas, ...
# as DT_NEEDED. The smallest PyPI-only set that imports and runs on the CPU is
# torch --no-deps, its pure-Python deps, and exactly the NVIDIA runtime wheels
# whose libraries are DT_NEEDED (versions as pip resolves them for this torch);
# triton, cusolver (loaded lazily), nvtx, cuda-bindings, cccl and setuptools
# are left out (~0.55 GB less to download). If that does not import, the
# script falls back to a plain `pip install torch==TORCH_VERSION`, and if that
# fails too, torch is skipped with a note.
TORCH_VERSION = "2.15.0"
TORCH_PURE_DEPS = ["typing_extensions", "sympy", "networkx", "jinja2", "fsspec",
                   "filelock", "mpmath", "markupsafe"]
TORCH_NATIVE_DEPS = [          # library each wheel provides (DT_NEEDED by torch)
    "nvidia-cuda-runtime==13.2.86",   # libcudart.so.13
    "nvidia-cuda-cupti==13.2.86",     # libcupti.so.13 (needed by libtorch_cpu.so)
    "nvidia-cublas==13.4.1.3",        # libcublas.so.13, libcublasLt.so.13
    "nvidia-cudnn-cu13==9.26.0.51",   # libcudnn.so.9
    "nvidia-cufft==12.2.0.57",        # libcufft.so.12
    "nvidia-cufile==1.17.1.22",       # libcufile.so.0
    "nvidia-cusparse==12.7.10.12",    # libcusparse.so.12
    "nvidia-nvjitlink==13.5.37",      # libnvJitLink.so.13 (needed by cusparse)
    "nvidia-cusparselt-cu13==0.8.1",  # libcusparseLt.so.0
    "nvidia-nccl-cu13==2.30.7",       # libnccl.so.2
    "nvidia-nvshmem-cu13==3.7.2",     # libnvshmem_host.so.3
    "nvidia-cuda-nvrtc==13.2.86",     # libnvrtc.so.13
]
TORCH_INSTALL_TIMEOUT_S = 15 * 60


# ---------------------------------------------------------------- setup ----

def _log(msg):
    print(f"[peers] {msg}", flush=True)


def _pip(args, timeout=None):
    cmd = [str(VENV_PY), "-m", "pip", "install", "--disable-pip-version-check",
           "--progress-bar", "off", *args]
    _log("$ " + " ".join(cmd[2:]))
    return subprocess.run(cmd, timeout=timeout).returncode == 0


def _torch_imports():
    probe = ("import torch; x = torch.arange(6.).reshape(2, 3) - 2; "
             "assert torch.relu(x).sum().item() == 6.0; print(torch.__version__)")
    r = subprocess.run([str(VENV_PY), "-c", probe], capture_output=True, text=True)
    if r.returncode != 0:
        last = (r.stderr.strip().splitlines() or ["?"])[-1]
        _log(f"import torch failed: {last}")
    return r.returncode == 0


def ensure_venv(want_torch=True):
    """Create bench/.venv and install the peers once; return the setup record."""
    state = {}
    if MARKER.exists():
        try:
            state = json.loads(MARKER.read_text())
        except ValueError:
            state = {}
    if state.get("version") == SETUP_VERSION and state.get("base") and (
            not want_torch or state.get("torch")):
        return state
    if not VENV_PY.exists():
        _log(f"creating virtualenv {VENV}")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    t0 = time.time()
    if not state.get("base"):
        if not _pip(BASE_PKGS):
            sys.exit("[peers] pip install of the base packages failed")
        state["base"] = True
    if want_torch and not state.get("torch"):
        status = "skipped: not installed"
        try:
            ok = (_pip(["--no-deps", f"torch=={TORCH_VERSION}"], TORCH_INSTALL_TIMEOUT_S)
                  and _pip(TORCH_PURE_DEPS, TORCH_INSTALL_TIMEOUT_S)
                  and _pip(["--no-deps", *TORCH_NATIVE_DEPS], TORCH_INSTALL_TIMEOUT_S)
                  and _torch_imports())
            if ok:
                status = "ok: torch --no-deps + pure deps + DT_NEEDED NVIDIA runtime wheels"
            else:
                _log("minimal torch install does not import; trying the full dependency set")
                if _pip([f"torch=={TORCH_VERSION}"], TORCH_INSTALL_TIMEOUT_S) and _torch_imports():
                    status = "ok: full pip install torch (all CUDA dependencies)"
                else:
                    status = "skipped: torch did not import after pip install"
        except subprocess.TimeoutExpired:
            status = f"skipped: torch install took over {TORCH_INSTALL_TIMEOUT_S} s"
        state["torch"] = status
        _log(f"torch: {status}")
    state["version"] = SETUP_VERSION
    MARKER.write_text(json.dumps(state, indent=1))
    _log(f"setup done in {time.time() - t0:.0f} s")
    return state


def in_venv():
    return Path(sys.prefix).resolve() == VENV.resolve()


def reexec_in_venv(script, argv, want_torch=True):
    """Set up the venv if needed and replace this process by `script` in it."""
    if in_venv() and MARKER.exists():
        return
    if os.environ.get("PEERS_BENCH_REEXEC") == "1" and not in_venv():
        sys.exit(f"[peers] re-exec into {VENV} did not take (sys.prefix={sys.prefix})")
    ensure_venv(want_torch)
    if in_venv():
        return
    os.environ["PEERS_BENCH_REEXEC"] = "1"
    sys.stdout.flush()
    os.execv(str(VENV_PY), [str(VENV_PY), str(Path(script).resolve()), *argv])


# ------------------------------------------------------- machine load ----

def busy_cpu_s():
    """Seconds of CPU time all processes have used (from /proc/stat)."""
    try:
        v = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return 0.0
    return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")


def wait_idle(timeout_s, max_busy=0.15, settle=3):
    """Wait until other processes use < max_busy cores for `settle` seconds."""
    t_end = time.time() + timeout_s
    quiet = 0
    while time.time() < t_end:
        b0 = busy_cpu_s()
        time.sleep(1.0)
        busy = busy_cpu_s() - b0
        quiet = quiet + 1 if busy < max_busy else 0
        if quiet >= settle:
            return True, busy
    return False, busy


# ------------------------------------------------------------ arguments ----

def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=1, help="1 or 2 (default 1)")
    p.add_argument("--out", default=None, help="CSV file to write (default bench/peers_<N>t.csv)")
    p.add_argument("--quick", action="store_true", help="fewer repetitions (~1 min per run)")
    p.add_argument("--only", default="", help="comma list of ops: softmax,relu,copy,dense,"
                   "dense_relu,head,chapter_forward (default all)")
    p.add_argument("--libs", default="", help="comma list: numpy,onnxruntime,"
                   "onnxruntime_const,pytorch (default all)")
    p.add_argument("--no-torch", action="store_true", help="do not install or run torch")
    p.add_argument("--wait-idle", type=float, default=0, metavar="S",
                   help="spend up to S seconds in all waiting for other processes to go "
                   "quiet: before starting, and to re-measure a case they disturbed")
    p.add_argument("--setup-only", action="store_true", help="create the venv and exit")
    return p.parse_args(argv)


# ------------------------------------------------------------ benchmark ----

def run_bench(args):
    # Environment first: before numpy / torch / onnxruntime are imported.
    openblas_env = {k: os.environ.pop(k, None) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    n = str(args.threads)
    for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[k] = n

    import gc
    import math
    import platform
    import statistics
    from functools import partial

    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    torch = None
    torch_note = ""
    if args.no_torch:
        torch_note = "skipped: --no-torch"
    else:
        try:
            import torch  # noqa: F811
            torch.set_num_threads(args.threads)
            try:
                torch.set_num_interop_threads(1)
            except RuntimeError:
                pass
        except Exception as e:  # ImportError, OSError from a missing .so
            torch = None
            torch_note = f"skipped: import torch failed: {e}"
    try:
        from threadpoolctl import threadpool_info
        blas = [f"{d.get('internal_api')} {d.get('version')} {d.get('architecture', '')} "
                f"threads={d.get('num_threads')}"
                for d in threadpool_info() if d.get("user_api") == "blas"]
    except Exception:
        blas = []

    only = {s for s in args.only.split(",") if s}
    libs = {s for s in args.libs.split(",") if s}
    quick = args.quick
    budget_s = 0.12 if quick else 0.9    # sampling time per (library, op, shape, variant)
    min_samples, max_samples = (5, 60) if quick else (11, 300)
    sample_ns = 2_000_000                # each sample >= ~2 ms of back-to-back calls

    def want(lib, op):
        return (not only or op in only) and (not libs or lib in libs)

    # ---- machine description
    cpu = {}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if ":" in line:
                k, v = (s.strip() for s in line.split(":", 1))
                cpu.setdefault(k, v)
    except OSError:
        pass
    cpu_desc = (f"{cpu.get('model name', platform.processor() or '?')} "
                f"(family {cpu.get('cpu family', '?')} model {cpu.get('model', '?')}, "
                f"{'avx512f' if 'avx512f' in cpu.get('flags', '').split() else 'no avx512f'}, "
                f"{os.cpu_count()} logical CPUs)")
    wait_left = [args.wait_idle]       # seconds left to spend waiting for a quiet machine
    wait_line = None
    if args.wait_idle > 0:
        print(f"# waiting up to {args.wait_idle:.0f} s for the machine to go quiet ...", flush=True)
        t0 = time.time()
        ok, busy = wait_idle(args.wait_idle)
        wait_left[0] -= time.time() - t0
        wait_line = (f"wait-idle: {'quiet' if ok else 'NOT quiet'} after {time.time() - t0:.0f} s "
                     f"(others used {busy:.2f} cores in the last second)")
    meta = [
        f"peers.py run {time.strftime('%Y-%m-%d %H:%M:%S')} mode={'quick' if quick else 'full'}",
        f"cpu: {cpu_desc}",
        f"threads: {args.threads} (OMP/MKL/OPENBLAS_NUM_THREADS, ORT intra_op_num_threads, "
        f"torch.set_num_threads)",
        f"python {platform.python_version()}; numpy {np.__version__}; onnxruntime {ort.__version__}; "
        f"onnx {onnx.__version__}; torch {torch.__version__ if torch else torch_note}",
        f"numpy blas: {'; '.join(blas) or '?'}",
    ]
    for k, v in openblas_env.items():
        meta.append(f"{k}: " + (f"was set to {v!r}; unset for this run" if v is not None
                                else "not set"))
    if wait_line:
        meta.append(wait_line)
    meta.append(f"loadavg at start: {Path('/proc/loadavg').read_text().split()[:3]}")
    if torch is not None:
        import re
        show = torch.__config__.show()
        tb = re.search(r"BLAS_INFO=(\w+)", show)
        meta.append(f"torch: BLAS {tb.group(1) if tb else '?'}, cpu capability "
                    f"{torch.backends.cpu.get_cpu_capability()}, "
                    f"{torch.__config__.parallel_info().splitlines()[-1].strip()}")
    try:
        meta.append("setup: torch " + json.loads(MARKER.read_text()).get("torch", "?"))
    except (OSError, ValueError):
        pass
    for m in meta:
        print("# " + m)
    print(flush=True)
    n_head = len(meta)

    # ---- timing
    def measure(fn):
        """Median ns per call of fn(): warm up, size an inner loop so one sample
        takes >= sample_ns, then take samples until the budget is spent."""
        gc.collect()
        gc.disable()
        try:
            fn()
            fn()
            reps, t = 1, 0
            while True:                        # calibration doubles as warm-up
                t0 = time.perf_counter_ns()
                for _ in range(reps):
                    fn()
                t = time.perf_counter_ns() - t0
                if t >= sample_ns // 2 or reps >= 1 << 22:
                    break
                reps *= 2
            inner = max(1, math.ceil(sample_ns * reps / max(t, 1)))
            samples = []
            deadline = time.perf_counter_ns() + int(budget_s * 1e9)
            while len(samples) < max_samples and (
                    len(samples) < min_samples or time.perf_counter_ns() < deadline):
                t0 = time.perf_counter_ns()
                for _ in range(inner):
                    fn()
                samples.append((time.perf_counter_ns() - t0) / inner)
        finally:
            gc.enable()
        return statistics.median(samples), len(samples), inner

    rows = []          # dicts for CSV
    notes = []         # which variant each row used
    disturbed = []     # measurements during which other processes used >= BUSY cores
    BUSY = 0.15
    load_acc = [0.0, 0.0]   # sum of (others' cores x seconds) and seconds, kept measurements

    def report(lib, op, dtype, shape, work, unit, variants, check=None):
        """Time every (name, fn) in variants, keep the fastest as the row."""
        if not want(lib, op) or not variants:
            return
        best = None
        tried = []
        for vname, fn, get in variants:
            if check is not None:
                try:
                    fn()
                    check(get())
                except Exception as e:  # a wrong or failing variant is not timed
                    tried.append(f"{vname}: FAILED {type(e).__name__}: {e}")
                    print(f"  !! {lib} {op} {dtype} {shape} {vname}: {type(e).__name__}: {e}")
                    continue
            for attempt in range(5):
                b0, o0, t0 = busy_cpu_s(), time.process_time(), time.perf_counter()
                med, ns, inner = measure(fn)
                others = (busy_cpu_s() - b0 - (time.process_time() - o0)) / (
                    time.perf_counter() - t0)
                if others < BUSY or wait_left[0] <= 0 or attempt == 4:
                    break
                print(f"  .. others used {others:.2f} cores during {lib} {op} {shape} {vname};"
                      f" waiting for quiet and measuring again", flush=True)
                tw = time.time()
                wait_idle(min(wait_left[0], 120))
                wait_left[0] -= time.time() - tw
            dt_meas = time.perf_counter() - t0
            load_acc[0] += others * dt_meas
            load_acc[1] += dt_meas
            if others >= BUSY:
                disturbed.append(f"{lib} {op} {dtype} {shape} {vname} ({others:.2f} cores)")
            tried.append(f"{vname} {med / 1e3:.3f}us")
            if best is None or med < best[1]:
                best = (vname, med, ns, inner)
        if best is None:
            notes.append(f"{lib} {op} {dtype} {shape}: all variants failed ({'; '.join(tried)})")
            return
        vname, med, ns, inner = best
        thr = work / med                 # per ns == G per s
        if unit == "Melem/s":
            thr *= 1e3
        row = dict(library=lib, op=op, dtype=dtype, shape=shape, threads=args.threads,
                   median_us=med / 1e3, throughput=thr, unit=unit)
        rows.append(row)
        if len(variants) > 1:
            notes.append(f"{lib} {op} {dtype} {shape}: {vname} (of {'; '.join(tried)})")
        else:
            notes.append(f"{lib} {op} {dtype} {shape}: {vname}")
        print(f"{lib:18s} {op:15s} {dtype:4s} {shape:15s} {med / 1e3:12.3f} us "
              f"{thr:10.3f} {unit:8s} {vname} [{ns}x{inner}]", flush=True)

    def close(tol):
        def check(ref):
            def f(got):
                got = np.asarray(got, dtype=np.float64).reshape(ref.shape)
                scale = max(1.0, float(np.max(np.abs(ref))))
                err = float(np.max(np.abs(got - ref))) / scale
                if not err <= tol:
                    raise AssertionError(f"max rel err {err:.2e} > {tol:.0e}")
            return f
        return check

    # ---- ONNX Runtime helpers
    so = ort.SessionOptions()
    so.intra_op_num_threads = args.threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.log_severity_level = 3
    ONNX_T = {np.float32: TensorProto.FLOAT, np.float64: TensorProto.DOUBLE}

    def session(nodes, inputs, out_shape, dtype, inits=()):
        t = ONNX_T[dtype]
        graph = helper.make_graph(
            nodes, "g",
            [helper.make_tensor_value_info(name, t, list(a.shape)) for name, a in inputs],
            [helper.make_tensor_value_info("y", t, list(out_shape))],
            initializer=[numpy_helper.from_array(a, name) for name, a in inits])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                                  producer_name="peers.py")
        model.ir_version = 8
        onnx.checker.check_model(model)
        return ort.InferenceSession(model.SerializeToString(), so,
                                    providers=["CPUExecutionProvider"])

    def ort_variants(sess, inputs, out_shape, dtype):
        feed = dict(inputs)
        last = {}

        def run():
            last["y"] = sess.run(["y"], feed)[0]
        io = sess.io_binding()
        keep = [ort.OrtValue.ortvalue_from_numpy(a) for _, a in inputs]
        for (name, _), v in zip(inputs, keep):
            io.bind_ortvalue_input(name, v)
        y = ort.OrtValue.ortvalue_from_numpy(np.empty(out_shape, dtype=dtype))
        io.bind_ortvalue_output("y", y)
        run_io = partial(sess.run_with_iobinding, io)
        run_io.keep = (keep, y)          # keep the bound buffers alive
        return [("run", run, lambda: last["y"]),
                ("run_with_iobinding", run_io, lambda: y.numpy())]

    rng = np.random.default_rng(0)
    DT = {"f32": np.float32, "f64": np.float64}
    TDT = {"f32": getattr(torch, "float32", None), "f64": getattr(torch, "float64", None)}
    t_start = time.time()
    busy_start, own_start = busy_cpu_s(), time.process_time()

    # ---- softmax
    for dname, rows_, cols in [("f32", 300, 3), ("f32", 4096, 10), ("f32", 1024, 1000),
                               ("f32", 64, 32000), ("f32", 8192, 128), ("f32", 32, 50257),
                               ("f64", 1024, 1000)]:
        if only and "softmax" not in only:
            break
        dt = DT[dname]
        shape = f"{rows_}x{cols}"
        x = rng.standard_normal((rows_, cols)).astype(dt)
        x64 = x.astype(np.float64)
        e = np.exp(x64 - x64.max(axis=1, keepdims=True))
        ref = e / e.sum(axis=1, keepdims=True)
        tol = 1e-5 if dname == "f32" else 1e-12
        chk = close(tol)(ref)
        work = rows_ * cols
        last = {}

        def np_softmax(x=x):
            e = np.exp(x - x.max(axis=1, keepdims=True))
            last["y"] = e / e.sum(axis=1, keepdims=True)
        report("numpy", "softmax", dname, shape, work, "Gelem/s",
               [("chapter form", np_softmax, lambda: last["y"])], chk)
        if want("onnxruntime", "softmax"):
            sess = session([helper.make_node("Softmax", ["x"], ["y"], axis=-1)],
                           [("x", x)], x.shape, dt)
            report("onnxruntime", "softmax", dname, shape, work, "Gelem/s",
                   ort_variants(sess, [("x", x)], x.shape, dt), chk)
        if torch is not None and want("pytorch", "softmax"):
            tx = torch.from_numpy(x.copy())
            tout = torch.empty_like(tx)
            tl = {}

            def t_plain(tx=tx):
                with torch.inference_mode():
                    tl["y"] = torch.softmax(tx, dim=1)

            def t_out(tx=tx, tout=tout):
                with torch.inference_mode():
                    torch.softmax(tx, 1, out=tout)
            report("pytorch", "softmax", dname, shape, work, "Gelem/s",
                   [("torch.softmax", t_plain, lambda: tl["y"].numpy()),
                    ("torch.softmax(out=)", t_out, lambda tout=tout: tout.numpy())], chk)

    # ---- relu and copy
    for n_ in [4096, 262_144, 16_777_216]:
        if only and not only & {"relu", "copy"}:
            break
        shape = str(n_)
        x = ((np.arange(n_) % 201) - 100).astype(np.float32)
        x[::7] *= 0.37
        ref = np.maximum(0, x).astype(np.float64)
        chk = close(0)(ref)
        out = np.empty_like(x)
        report("numpy", "copy", "f32", shape, 8 * n_, "GB/s",
               [("np.copyto", partial(np.copyto, out, x), lambda: out)], close(0)(x.astype(np.float64)))
        report("numpy", "relu", "f32", shape, n_, "Gelem/s",
               [("np.maximum(0,x,out=)", partial(np.maximum, 0, x, out=out), lambda: out)], chk)
        if want("onnxruntime", "relu"):
            sess = session([helper.make_node("Relu", ["x"], ["y"])], [("x", x)], x.shape, np.float32)
            report("onnxruntime", "relu", "f32", shape, n_, "Gelem/s",
                   ort_variants(sess, [("x", x)], x.shape, np.float32), chk)
        if torch is not None and want("pytorch", "relu"):
            tx = torch.from_numpy(x.copy())
            tout = torch.empty_like(tx)
            tl = {}

            def t_relu(tx=tx):
                with torch.inference_mode():
                    tl["y"] = torch.relu(tx)

            def t_clamp(tx=tx, tout=tout):
                with torch.inference_mode():
                    torch.clamp_min(tx, 0, out=tout)
            report("pytorch", "relu", "f32", shape, n_, "Gelem/s",
                   [("torch.relu", t_relu, lambda: tl["y"].numpy()),
                    ("torch.clamp_min(out=)", t_clamp, lambda tout=tout: tout.numpy())], chk)
        del x, out

    # ---- dense (and dense_relu)
    for dname, m, k, nn in [("f32", 300, 2, 3), ("f32", 300, 3, 3), ("f32", 1, 784, 128),
                            ("f32", 256, 784, 128), ("f32", 1024, 1024, 1024),
                            ("f32", 64, 4096, 4096), ("f64", 1024, 1024, 1024),
                            # the two layers of the classifier head (see "head" below) alone
                            ("f32", 1, 784, 10), ("f32", 1024, 128, 10), ("f64", 256, 128, 10),
                            ("f64", 1, 784, 10), ("f64", 1024, 128, 10)]:
        if only and not only & {"dense", "dense_relu"}:
            break
        dt = DT[dname]
        shape = f"{m}x{k}x{nn}"
        x = rng.standard_normal((m, k)).astype(dt)
        w = (rng.standard_normal((k, nn)) / math.sqrt(k)).astype(dt)
        b = rng.standard_normal(nn).astype(dt)
        ref = x.astype(np.float64) @ w.astype(np.float64) + b
        tol = 1e-5 if dname == "f32" else 1e-12
        chk = close(tol)(ref)
        chk_relu = close(tol)(np.maximum(0, ref))
        work = 2 * m * k * nn
        out = np.empty((m, nn), dtype=dt)
        last = {}

        def np_dot(x=x, w=w, b=b, out=out):
            np.dot(x, w, out=out)
            out += b

        def np_matmul(x=x, w=w, b=b):
            last["y"] = x @ w + b
        report("numpy", "dense", dname, shape, work, "GFLOP/s",
               [("np.dot(out=)+=b", np_dot, lambda out=out: out),
                ("x@w+b", np_matmul, lambda: last["y"])], chk)
        if want("onnxruntime", "dense"):
            ins = [("x", x), ("w", w), ("b", b)]
            sess = session([helper.make_node("Gemm", ["x", "w", "b"], ["y"])], ins, (m, nn), dt)
            report("onnxruntime", "dense", dname, shape, work, "GFLOP/s",
                   ort_variants(sess, ins, (m, nn), dt), chk)
        if want("onnxruntime_const", "dense"):
            sess = session([helper.make_node("Gemm", ["x", "w", "b"], ["y"])], [("x", x)],
                           (m, nn), dt, inits=[("w", w), ("b", b)])
            report("onnxruntime_const", "dense", dname, shape, work, "GFLOP/s",
                   ort_variants(sess, [("x", x)], (m, nn), dt), chk)
        if want("onnxruntime_const", "dense_relu"):
            sess = session([helper.make_node("MatMul", ["x", "w"], ["xw"]),
                            helper.make_node("Add", ["xw", "b"], ["xwb"]),
                            helper.make_node("Relu", ["xwb"], ["y"])], [("x", x)],
                           (m, nn), dt, inits=[("w", w), ("b", b)])
            report("onnxruntime_const", "dense_relu", dname, shape, work, "GFLOP/s",
                   ort_variants(sess, [("x", x)], (m, nn), dt), chk_relu)
        if torch is not None and want("pytorch", "dense"):
            tx, tw, tb = (torch.from_numpy(a.copy()) for a in (x, w, b))
            twt = tw.t().contiguous()             # nn.Linear's (out, in) layout
            tout = torch.empty((m, nn), dtype=TDT[dname])
            tl = {}

            def t_addmm(tx=tx, tw=tw, tb=tb):
                with torch.inference_mode():
                    tl["y"] = torch.addmm(tb, tx, tw)

            def t_addmm_out(tx=tx, tw=tw, tb=tb, tout=tout):
                with torch.inference_mode():
                    torch.addmm(tb, tx, tw, out=tout)

            def t_linear(tx=tx, twt=twt, tb=tb):
                with torch.inference_mode():
                    tl["y"] = torch.nn.functional.linear(tx, twt, tb)
            report("pytorch", "dense", dname, shape, work, "GFLOP/s",
                   [("torch.addmm", t_addmm, lambda: tl["y"].numpy()),
                    ("torch.addmm(out=)", t_addmm_out, lambda tout=tout: tout.numpy()),
                    ("F.linear", t_linear, lambda: tl["y"].numpy())], chk)
        del x, w, out

    # ---- classifier head: relu(x·W1 + b1)·W2 + b2, then a row softmax
    # (784 -> 128 -> 10, the MNIST-sized MLP), the whole forward pass per call.
    # Its own generator, so the data do not depend on which ops --only selects.
    hrng = np.random.default_rng(1)
    HK, HH, HN = 784, 128, 10
    hW1 = 0.01 * hrng.standard_normal((HK, HH))
    hb1 = 0.01 * hrng.standard_normal(HH)
    hW2 = 0.01 * hrng.standard_normal((HH, HN))
    hb2 = 0.01 * hrng.standard_normal(HN)
    for m in (1, 1024):
        if only and "head" not in only:
            break
        dname, dt = "f32", np.float32
        shape = f"{m}x{HK}x{HH}x{HN}"
        x, W1, b1, W2, b2 = (a.astype(dt) for a in (hrng.standard_normal((m, HK)), hW1, hb1, hW2, hb2))
        r = np.maximum(0, x.astype(np.float64) @ W1.astype(np.float64) + b1)
        r = r @ W2.astype(np.float64) + b2
        e = np.exp(r - r.max(axis=1, keepdims=True))
        chk = close(1e-5)(e / e.sum(axis=1, keepdims=True))
        work = 2 * m * (HK * HH + HH * HN)      # the two matmuls' FLOPs
        last = {}

        def np_plain(x=x, W1=W1, b1=b1, W2=W2, b2=b2):
            h = np.maximum(x @ W1 + b1, 0)
            z = h @ W2 + b2
            e = np.exp(z - z.max(axis=1, keepdims=True))
            last["y"] = e / e.sum(axis=1, keepdims=True)
        hbuf, zbuf = np.empty((m, HH), dtype=dt), np.empty((m, HN), dtype=dt)

        def np_out(x=x, W1=W1, b1=b1, W2=W2, b2=b2, h=hbuf, z=zbuf):
            np.dot(x, W1, out=h)
            h += b1
            np.maximum(h, 0, out=h)
            np.dot(h, W2, out=z)
            z += b2
            z -= z.max(axis=1, keepdims=True)
            np.exp(z, out=z)
            z /= z.sum(axis=1, keepdims=True)
        report("numpy", "head", dname, shape, work, "GFLOP/s",
               [("x@W1+b1,np.maximum,@W2+b2,softmax", np_plain, lambda: last["y"]),
                ("np.dot(out=),in-place ops", np_out, lambda z=zbuf: z)], chk)
        if want("onnxruntime", "head"):
            inits = [("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2)]
            softmax = helper.make_node("Softmax", ["z"], ["y"], axis=-1)
            g_matmul = [helper.make_node("MatMul", ["x", "W1"], ["xw"]),
                        helper.make_node("Add", ["xw", "b1"], ["xwb"]),
                        helper.make_node("Relu", ["xwb"], ["h"]),
                        helper.make_node("MatMul", ["h", "W2"], ["hw"]),
                        helper.make_node("Add", ["hw", "b2"], ["z"]), softmax]
            g_gemm = [helper.make_node("Gemm", ["x", "W1", "b1"], ["xwb"]),
                      helper.make_node("Relu", ["xwb"], ["h"]),
                      helper.make_node("Gemm", ["h", "W2", "b2"], ["z"]), softmax]
            variants = []
            for gname, nodes in (("MatMul+Add+Relu+MatMul+Add+Softmax", g_matmul),
                                 ("Gemm+Relu+Gemm+Softmax", g_gemm)):
                sess = session(nodes, [("x", x)], (m, HN), dt, inits=inits)
                variants += [(f"{gname} {v}", fn, get)
                             for v, fn, get in ort_variants(sess, [("x", x)], (m, HN), dt)]
            report("onnxruntime", "head", dname, shape, work, "GFLOP/s", variants, chk)
        if torch is not None and want("pytorch", "head"):
            F = torch.nn.functional
            tx, tW1, tb1, tW2, tb2 = (torch.from_numpy(a.copy()) for a in (x, W1, b1, W2, b2))
            tW1t, tW2t = tW1.t().contiguous(), tW2.t().contiguous()   # nn.Linear layout
            th, tz, tp = (torch.empty((m, c), dtype=TDT[dname]) for c in (HH, HN, HN))
            mod = torch.nn.Sequential(torch.nn.Linear(HK, HH), torch.nn.ReLU(),
                                      torch.nn.Linear(HH, HN), torch.nn.Softmax(dim=1)).eval()
            with torch.no_grad():
                mod[0].weight.copy_(tW1t)
                mod[0].bias.copy_(tb1)
                mod[2].weight.copy_(tW2t)
                mod[2].bias.copy_(tb2)
            tl = {}

            def t_linear(tx=tx, tW1t=tW1t, tb1=tb1, tW2t=tW2t, tb2=tb2):
                with torch.inference_mode():
                    h = torch.relu(F.linear(tx, tW1t, tb1))
                    tl["y"] = torch.softmax(F.linear(h, tW2t, tb2), dim=1)

            def t_addmm(tx=tx, tW1=tW1, tb1=tb1, tW2=tW2, tb2=tb2):
                with torch.inference_mode():
                    h = torch.addmm(tb1, tx, tW1).relu_()
                    tl["y"] = torch.softmax(torch.addmm(tb2, h, tW2), dim=1)

            def t_out(tx=tx, tW1=tW1, tb1=tb1, tW2=tW2, tb2=tb2, th=th, tz=tz, tp=tp):
                with torch.inference_mode():
                    torch.addmm(tb1, tx, tW1, out=th)
                    th.relu_()
                    torch.addmm(tb2, th, tW2, out=tz)
                    torch.softmax(tz, 1, out=tp)

            def t_module(tx=tx, mod=mod):
                with torch.inference_mode():
                    tl["y"] = mod(tx)
            report("pytorch", "head", dname, shape, work, "GFLOP/s",
                   [("F.linear,relu,F.linear,softmax", t_linear, lambda: tl["y"].numpy()),
                    ("addmm,relu_,addmm,softmax", t_addmm, lambda: tl["y"].numpy()),
                    ("addmm(out=),relu_,addmm(out=),softmax(out=)", t_out,
                     lambda tp=tp: tp.numpy()),
                    ("nn.Sequential(Linear,ReLU,Linear,Softmax)", t_module,
                     lambda: tl["y"].numpy())], chk)
        del x, hbuf, zbuf

    # ---- the chapter's forward pass, end to end in NumPy
    def spiral_data(points, classes):
        X = np.zeros((points * classes, 2))
        y = np.zeros(points * classes, dtype="uint8")
        for c in range(classes):
            ix = range(points * c, points * (c + 1))
            r = np.linspace(0.0, 1, points)
            t = np.linspace(c * 4, (c + 1) * 4, points) + np.random.randn(points) * 0.2
            X[ix] = np.c_[r * np.sin(t * 2.5), r * np.cos(t * 2.5)]
            y[ix] = c
        return X, y

    for dname in ("f32", "f64"):
        if not want("numpy", "chapter_forward"):
            break
        dt = DT[dname]
        np.random.seed(0)
        X, _ = spiral_data(100, 3)
        W1, b1 = 0.01 * np.random.randn(2, 3), np.zeros((1, 3))
        W2, b2 = 0.01 * np.random.randn(3, 3), np.zeros((1, 3))
        X, W1, b1, W2, b2 = (a.astype(dt) for a in (X, W1, b1, W2, b2))
        res = {}

        def forward(X=X, W1=W1, b1=b1, W2=W2, b2=b2):
            o1 = np.dot(X, W1) + b1
            a1 = np.maximum(0, o1)
            o2 = np.dot(a1, W2) + b2
            e = np.exp(o2 - np.max(o2, axis=1, keepdims=True))
            p = e / np.sum(e, axis=1, keepdims=True)
            res["y"] = np.argmax(p, axis=1)
        forward()
        ref_classes = res["y"].copy()
        report("numpy", "chapter_forward", dname, "300", 300, "Melem/s",
               [("Dense,ReLU,Dense,softmax,argmax", forward, lambda: res["y"])],
               lambda got, r=ref_classes: np.testing.assert_array_equal(got, r))

    elapsed = time.time() - t_start
    others = (busy_cpu_s() - busy_start - (time.process_time() - own_start)) / max(elapsed, 1e-9)
    meas = load_acc[0] / load_acc[1] if load_acc[1] else 0.0
    meta.append(f"other processes used ~{max(meas, 0):.2f} CPU cores on average during the kept "
                f"measurements (of {os.cpu_count()}; more than ~0.1 means disturbed numbers), "
                f"~{max(others, 0):.2f} over the whole run including waits")
    meta.append(f"measurements during which other processes used >= {BUSY} cores: "
                f"{len(disturbed)}" + (f" ({'; '.join(disturbed)})" if disturbed else ""))
    meta.append(f"loadavg at end: {Path('/proc/loadavg').read_text().split()[:3]}; "
                f"benchmark time {elapsed:.0f} s")
    meta.append("timing: median of samples; each sample is an inner loop of back-to-back "
                "calls sized to >= 2 ms, after warm-up; the fastest call form per row is kept")
    meta.append("throughput units: softmax/relu Gelem/s (rows*cols or n), dense GFLOP/s "
                "(2*m*k*n), head GFLOP/s (2*m*(k*h + h*n), the two matmuls; shape mxkxhxn), "
                "copy GB/s (8 bytes per f32 element: read + write), "
                "chapter_forward Melem/s (samples/s)")
    meta.append(f"torch rows: {torch_note or 'included'}")
    for note in notes:
        meta.append("variant: " + note)
    return meta, rows, n_head, elapsed


def write_csv(path, meta, rows):
    import csv
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = ["library", "op", "dtype", "shape", "threads", "median_us", "throughput", "unit"]
    with path.open("w", newline="") as f:
        for m in meta:
            f.write("# " + m.replace("\n", " ") + "\n")
        wr = csv.DictWriter(f, fieldnames=cols)
        wr.writeheader()
        for r in rows:
            r = dict(r)
            r["median_us"] = f"{r['median_us']:.4f}"
            r["throughput"] = f"{r['throughput']:.5g}"
            wr.writerow(r)


def print_table(meta, rows, threads):
    print()
    print("=" * 92)
    for m in meta[:5]:
        print(m)
    print("=" * 92)
    hdr = f"{'library':18s} {'op':15s} {'dtype':5s} {'shape':15s} {'thr':>3s} " \
          f"{'median_us':>12s} {'throughput':>11s} unit"
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        print(f"{r['library']:18s} {r['op']:15s} {r['dtype']:5s} {r['shape']:15s} "
              f"{r['threads']:>3d} {r['median_us']:12.3f} {r['throughput']:11.3f} {r['unit']}")
    print("-" * len(hdr))


def main():
    args = parse_args(sys.argv[1:])
    if args.threads < 1:
        sys.exit("--threads must be >= 1")
    reexec_in_venv(__file__, sys.argv[1:], want_torch=not args.no_torch)
    if args.setup_only:
        print(json.dumps(json.loads(MARKER.read_text()), indent=1))
        return
    out = args.out or str(HERE / f"peers_{args.threads}t.csv")
    meta, rows, n_head, elapsed = run_bench(args)
    write_csv(out, meta, rows)
    print_table(meta, rows, args.threads)
    for m in meta[n_head:]:
        print("# " + m)
    print(f"\nwrote {out} ({len(rows)} rows, {elapsed:.0f} s)")


if __name__ == "__main__":
    main()
