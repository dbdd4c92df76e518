// Window kernels over float32 NCHW images (im2col, col2im, max and average pooling), the
// same loops as src/backend/js/conv.ts: for each tap only the range of outputs whose tap
// lands inside the image is visited, so inner loops are branch-free. Arithmetic matches the
// js kernels operation for operation (f64 where they compute in f64), so results are equal.
// Work is split by channels [c0, c1) (im2col, col2im) or by planes [p0, p1) (pooling).

/** Geometry, in the order of Conv2dGeometry's fields (set once per call by setGeometry). */
let batch = 0, channels = 0, inH = 0, inW = 0, kH = 0, kW = 0, strideH = 0, strideW = 0;
let padH = 0, padW = 0, dilationH = 0, dilationW = 0, outH = 0, outW = 0;

/** Module globals are per instance, so each thread's job starts by setting the geometry. */
@inline function setGeometry(g: usize): void {
  batch = load<i32>(g); channels = load<i32>(g, 4); inH = load<i32>(g, 8); inW = load<i32>(g, 12);
  kH = load<i32>(g, 16); kW = load<i32>(g, 20); strideH = load<i32>(g, 24); strideW = load<i32>(g, 28);
  padH = load<i32>(g, 32); padW = load<i32>(g, 36); dilationH = load<i32>(g, 40); dilationW = load<i32>(g, 44);
  outH = load<i32>(g, 48); outW = load<i32>(g, 52);
}

/** First tap k ≥ 0 with start + k·step ≥ 0. */
@inline function firstInside(start: i32, step: i32): i32 {
  return start >= 0 ? 0 : (-start + step - 1) / step;
}

/** One past the last tap k < count with start + k·step ≤ size − 1, at least 0. */
@inline function endInside(start: i32, step: i32, size: i32, count: i32): i32 {
  // Most windows lie inside the image: no integer division for them.
  if (start + (count - 1) * step <= size - 1) return max(0, count);
  const last = size - 1 - start;
  // floor division for a negative numerator
  const fl = last >= 0 ? last / step : -((-last + step - 1) / step);
  return max(0, min(count, fl + 1));
}

@inline function f32At(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

/** Short runs are the rule here: explicit loops, since V8 calls out for memory.fill/copy. */
@inline function zero(dst: usize, n: i32): void {
  if (n >= 64) {
    memory.fill(dst, 0, <usize>n << 2);
    return;
  }
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), f32x4.splat(0));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), 0);
}

@inline function copy(dst: usize, src: usize, n: i32): void {
  if (n >= 64) {
    memory.copy(dst, src, <usize>n << 2);
    return;
  }
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

/** x [N, C, inH, inW] → cols [C·kH·kW, N·outH·outW], channels [c0, c1); g: the geometry (14 i32). */
export function im2col(x: usize, out: usize, g: usize, c0: i32, c1: i32): void {
  setGeometry(g);
  const plane = inH * inW;
  const perImage = outH * outW;
  const rowLen = batch * perImage;
  for (let c = c0; c < c1; c++) {
    for (let ki = 0; ki < kH; ki++) {
      const dy = ki * dilationH - padH;
      const ohLo = min(outH, firstInside(dy, strideH));
      const ohHi = max(ohLo, endInside(dy, strideH, inH, outH));
      for (let kj = 0; kj < kW; kj++) {
        const dx = kj * dilationW - padW;
        const owLo = min(outW, firstInside(dx, strideW));
        const owHi = max(owLo, endInside(dx, strideW, inW, outW));
        const row = ((c * kH + ki) * kW + kj) * rowLen;
        for (let n = 0; n < batch; n++) {
          const base = row + n * perImage;
          const src0 = (n * channels + c) * plane;
          zero(f32At(out, base), ohLo * outW);
          for (let oh = ohLo; oh < ohHi; oh++) {
            const o = base + oh * outW;
            zero(f32At(out, o), owLo);
            const s = src0 + (oh * strideH + dy) * inW + owLo * strideW + dx;
            if (strideW == 1) {
              copy(f32At(out, o + owLo), f32At(x, s), owHi - owLo);
            } else {
              let sp = f32At(x, s);
              const step = <usize>strideW << 2;
              for (let ow = owLo; ow < owHi; ow++, sp += step) store<f32>(f32At(out, o + ow), load<f32>(sp));
            }
            zero(f32At(out, o + owHi), outW - owHi);
          }
          zero(f32At(out, base + ohHi * outW), (outH - ohHi) * outW);
        }
      }
    }
  }
}

/** cols → out [N, C, inH, inW] for channels [c0, c1): zeroed, then each column entry added to its pixel. */
export function col2im(cols: usize, out: usize, g: usize, c0: i32, c1: i32): void {
  setGeometry(g);
  const plane = inH * inW;
  const perImage = outH * outW;
  const rowLen = batch * perImage;
  for (let n = 0; n < batch; n++) {
    memory.fill(f32At(out, (n * channels + c0) * plane), 0, <usize>((c1 - c0) * plane) << 2);
  }
  for (let c = c0; c < c1; c++) {
    for (let ki = 0; ki < kH; ki++) {
      const dy = ki * dilationH - padH;
      const ohLo = min(outH, firstInside(dy, strideH));
      const ohHi = max(ohLo, endInside(dy, strideH, inH, outH));
      for (let kj = 0; kj < kW; kj++) {
        const dx = kj * dilationW - padW;
        const owLo = min(outW, firstInside(dx, strideW));
        const owHi = max(owLo, endInside(dx, strideW, inW, outW));
        const row = ((c * kH + ki) * kW + kj) * rowLen;
        for (let n = 0; n < batch; n++) {
          const base = row + n * perImage;
          const dst0 = (n * channels + c) * plane;
          for (let oh = ohLo; oh < ohHi; oh++) {
            const o = base + oh * outW;
            let d = f32At(out, dst0 + (oh * strideH + dy) * inW + owLo * strideW + dx);
            let s = f32At(cols, o + owLo);
            const step = <usize>strideW << 2;
            for (let ow = owLo; ow < owHi; ow++, d += step, s += 4) store<f32>(d, load<f32>(d) + load<f32>(s));
          }
        }
      }
    }
  }
}

/** Max of one window (output (oh, ow) of the plane at src) into out[o], argmax[o]: first largest, else last NaN. */
@inline function maxWindow(x: usize, out: usize, argmax: usize, src: i32, oh: i32, ow: i32, o: i32): void {
  const h0 = oh * strideH - padH;
  const kiLo = firstInside(h0, dilationH);
  const kiHi = endInside(h0, dilationH, inH, kH);
  const w0 = ow * strideW - padW;
  const kjLo = firstInside(w0, dilationW);
  const kjHi = endInside(w0, dilationW, inW, kW);
  let best: f32 = -Infinity;
  let bestAt = -1;
  for (let ki = kiLo; ki < kiHi; ki++) {
    const rowAt = src + (h0 + ki * dilationH) * inW + w0;
    for (let kj = kjLo; kj < kjHi; kj++) {
      const at = rowAt + kj * dilationW;
      const v = load<f32>(f32At(x, at));
      // Branch-free: which value wins is data-dependent and mispredicts half the time.
      const take = (v > best) | (bestAt < 0) | (v != v); // PyTorch's `val > maxval || isnan(val)`
      best = select<f32>(v, best, take);
      bestAt = select<i32>(at, bestAt, take);
    }
  }
  store<f32>(f32At(out, o), best);
  store<i32>(f32At(argmax, o), bestAt);
}

/** The vector form of maxWindow's update: lanes where v beats best (or is NaN) take v and its index. */
@inline function takes(v: v128, best: v128): v128 {
  return v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
}

/**
 * Max over each window of planes [p0, p1); argmax: flat index into x of the first largest, or of
 * the last NaN where the window has one (PyTorch's choice). Windows 2 wide with stride 2, no padding and all inside the image (the usual 2×2
 * pooling) take 4 outputs at a time in SIMD: two loads per window row, split into even and odd columns.
 */
export function maxPool2d(x: usize, out: usize, argmax: usize, g: usize, p0: i32, p1: i32): void {
  setGeometry(g);
  const plane = inH * inW;
  // Only where every window lies inside the image (a ceilMode window may hang over the edge).
  const simd = kW == 2 && strideW == 2 && dilationW == 1 && padW == 0 && padH == 0 &&
    2 * outW <= inW && (outH - 1) * strideH + (kH - 1) * dilationH < inH;
  const rowStep = dilationH * inW;
  let o = p0 * outH * outW;
  for (let p = p0; p < p1; p++) {
    const src = p * plane;
    for (let oh = 0; oh < outH; oh++) {
      let ow = 0;
      if (simd) {
        for (; ow + 4 <= outW; ow += 4, o += 4) {
          let r = src + oh * strideH * inW + 2 * ow;
          let best = f32x4.splat(0), bestAt = i32x4.splat(0);
          for (let ki = 0; ki < kH; ki++, r += rowStep) {
            const v0 = v128.load(f32At(x, r));
            const v1 = v128.load(f32At(x, r), 16);
            const even = v128.shuffle<f32>(v0, v1, 0, 2, 4, 6);
            const odd = v128.shuffle<f32>(v0, v1, 1, 3, 5, 7);
            const atEven = i32x4.add(i32x4.splat(r), i32x4(0, 2, 4, 6));
            const atOdd = i32x4.add(atEven, i32x4.splat(1));
            if (ki == 0) {
              best = even;
              bestAt = atEven;
            } else {
              const take = takes(even, best);
              best = v128.bitselect(even, best, take);
              bestAt = v128.bitselect(atEven, bestAt, take);
            }
            const take = takes(odd, best);
            best = v128.bitselect(odd, best, take);
            bestAt = v128.bitselect(atOdd, bestAt, take);
          }
          v128.store(f32At(out, o), best);
          v128.store(f32At(argmax, o), bestAt);
        }
      }
      for (; ow < outW; ow++, o++) maxWindow(x, out, argmax, src, oh, ow, o);
    }
  }
}

/** maxPool2d's adjoint for planes [p0, p1): out zeroed, each gradient added where its window's max was. */
export function maxPool2dBackward(grad: usize, argmax: usize, out: usize, g: usize, p0: i32, p1: i32): void {
  setGeometry(g);
  const plane = inH * inW;
  memory.fill(f32At(out, p0 * plane), 0, <usize>((p1 - p0) * plane) << 2);
  const o1 = p1 * outH * outW;
  for (let o = p0 * outH * outW; o < o1; o++) {
    const idx = load<i32>(f32At(argmax, o));
    // −1: a window entirely in the padding (possible with dilation) has no input cell.
    if (idx < 0) continue;
    const at = f32At(out, idx);
    store<f32>(at, load<f32>(at) + load<f32>(f32At(grad, o)));
  }
}

/**
 * Window divisor at (h0, w0): with countIncludePad its cells inside the padded image (kH·kW unless
 * a ceilMode window hangs past the padding), else its rows × cols inside the image.
 */
@inline function divisor(countIncludePad: bool, h0: i32, w0: i32, rows: i32, cols: i32): f64 {
  if (!countIncludePad) return <f64>(rows * cols);
  return <f64>((min(h0 + kH, inH + padH) - h0) * (min(w0 + kW, inW + padW) - w0));
}

/** Mean over each window of planes [p0, p1) (sum in f64, as the js kernel). */
export function avgPool2d(x: usize, out: usize, g: usize, countIncludePad: bool, p0: i32, p1: i32): void {
  setGeometry(g);
  const plane = inH * inW;
  let o = p0 * outH * outW;
  for (let p = p0; p < p1; p++) {
    const src = p * plane;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * strideH - padH;
      const kiLo = firstInside(h0, dilationH);
      const kiHi = max(kiLo, endInside(h0, dilationH, inH, kH));
      for (let ow = 0; ow < outW; ow++, o++) {
        const w0 = ow * strideW - padW;
        const kjLo = firstInside(w0, dilationW);
        const kjHi = max(kjLo, endInside(w0, dilationW, inW, kW));
        let s: f64 = 0;
        for (let ki = kiLo; ki < kiHi; ki++) {
          const rowAt = src + (h0 + ki * dilationH) * inW + w0;
          for (let kj = kjLo; kj < kjHi; kj++) s += <f64>load<f32>(f32At(x, rowAt + kj * dilationW));
        }
        store<f32>(f32At(out, o), <f32>(s / divisor(countIncludePad, h0, w0, kiHi - kiLo, kjHi - kjLo)));
      }
    }
  }
}

/** avgPool2d's adjoint for planes [p0, p1): out zeroed, each gradient shared over its window. */
export function avgPool2dBackward(grad: usize, out: usize, g: usize, countIncludePad: bool, p0: i32, p1: i32): void {
  setGeometry(g);
  const plane = inH * inW;
  memory.fill(f32At(out, p0 * plane), 0, <usize>((p1 - p0) * plane) << 2);
  let o = p0 * outH * outW;
  for (let p = p0; p < p1; p++) {
    const dst = p * plane;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * strideH - padH;
      const kiLo = firstInside(h0, dilationH);
      const kiHi = max(kiLo, endInside(h0, dilationH, inH, kH));
      for (let ow = 0; ow < outW; ow++, o++) {
        const w0 = ow * strideW - padW;
        const kjLo = firstInside(w0, dilationW);
        const kjHi = max(kjLo, endInside(w0, dilationW, inW, kW));
        const share = <f64>load<f32>(f32At(grad, o)) / divisor(countIncludePad, h0, w0, kiHi - kiLo, kjHi - kjLo);
        for (let ki = kiLo; ki < kiHi; ki++) {
          const rowAt = dst + (h0 + ki * dilationH) * inW + w0;
          for (let kj = kjLo; kj < kjHi; kj++) {
            const at = f32At(out, rowAt + kj * dilationW);
            store<f32>(at, <f32>(<f64>load<f32>(at) + share));
          }
        }
      }
    }
  }
}
