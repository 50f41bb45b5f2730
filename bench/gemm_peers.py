"""NumPy (OpenBLAS) and ONNX Runtime (Gemm, constant weights: MLAS prepacks
them) on the large dense shapes of issue 23, at 1 or 2 threads: GFLOP/s
(2*m*k*n over the median of at least 0.3 s of calls), as CSV on stdout.
Run it between two runs of the limits bench's `gemm` section (the crate on
the same shapes) and compare the three:

    cargo bench -p nn-kernels-benches --bench limits -- gemm
    bench/.venv/bin/python bench/gemm_peers.py 1 > peers_gemm_1t.csv
    bench/.venv/bin/python bench/gemm_peers.py 2 > peers_gemm_2t.csv
    cargo bench -p nn-kernels-benches --bench limits -- gemm

(`bench/.venv` is made by `peers.py`; it has numpy, onnx and onnxruntime.)
"""
import os, sys, time, statistics
threads = int(sys.argv[1])
os.environ["OPENBLAS_NUM_THREADS"] = str(threads)
os.environ["OMP_NUM_THREADS"] = str(threads)
import numpy as np
import onnxruntime as ort
from onnx import helper, TensorProto, numpy_helper
shapes = [("f32",1024,1024,1024),("f32",1023,1025,1027),("f32",64,4096,4096),("f32",128,4096,1024),("f32",32,512,512),("f32",256,784,128),
          ("f64",1024,1024,1024),("f64",1023,1025,1027),("f64",64,4096,4096),("f64",128,4096,1024),("f64",256,784,128)]
def med(f, min_s=0.3):
    f(); ts=[]; t0=time.perf_counter()
    while time.perf_counter()-t0 < min_s or len(ts) < 5:
        t=time.perf_counter(); f(); ts.append(time.perf_counter()-t)
    return statistics.median(ts)
rng=np.random.default_rng(1)
print("lib,dtype,shape,threads,gflops")
for dt,m,k,n in shapes:
    d = np.float32 if dt=="f32" else np.float64
    x=rng.standard_normal((m,k)).astype(d); w=(rng.standard_normal((k,n))/k**0.5).astype(d); b=rng.standard_normal(n).astype(d)
    out=np.empty((m,n),d)
    def npf(x=x,w=w,b=b,o=out):
        np.dot(x,w,out=o); np.add(o,b,out=o)
    fl=2*m*k*n
    print(f"numpy,{dt},{m}x{k}x{n},{threads},{fl/med(npf)/1e9:.1f}", flush=True)
    tp = TensorProto.FLOAT if dt=="f32" else TensorProto.DOUBLE
    g = helper.make_graph([helper.make_node("Gemm",["X","W","B"],["Y"])], "g",
        [helper.make_tensor_value_info("X",tp,[m,k])],[helper.make_tensor_value_info("Y",tp,[m,n])],
        [numpy_helper.from_array(w,"W"), numpy_helper.from_array(b,"B")])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("",13)]); model.ir_version=8
    so=ort.SessionOptions(); so.intra_op_num_threads=threads; so.inter_op_num_threads=1
    try:
        s=ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
        feed={"X":x}
        print(f"onnxruntime,{dt},{m}x{k}x{n},{threads},{fl/med(lambda: s.run(None, feed))/1e9:.1f}", flush=True)
    except Exception as e:
        print(f"onnxruntime,{dt},{m}x{k}x{n},{threads},error {e}".replace("\n"," ")[:200])
