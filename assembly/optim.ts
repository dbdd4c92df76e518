// Fused optimizer updates over float32 arrays in place, 4 lanes at a time (a scalar loop for
// the last n % 4). Same rules as src/backend/js/optim.ts, computed in float32.

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(f32x4.mul(a, b), c);
  }
}

/**
 * Adam / AdamW / AMSGrad on p, g, m, v (and vMax when its address is not 0), n elements.
 * keep1 = 1 − β₁, keep2 = 1 − β₂ (computed in float64: 1 − f32(0.999) is off by 1e-5),
 * stepSize = lr/(1 − β₁ᵗ), invBc2 = 1/√(1 − β₂ᵗ), shrink = 1 − lr·λ (decoupled) and
 * l2 = λ (Adam's L2 term; 0 for AdamW) come from JS.
 */
export function adamStep(
  p: usize, g: usize, m: usize, v: usize, vMax: usize, n: i32,
  beta1: f32, beta2: f32, keep1: f32, keep2: f32, eps: f32, stepSize: f32, invBc2: f32, shrink: f32, l2: f32, decoupled: i32,
): void {
  const b1 = f32x4.splat(beta1), b2 = f32x4.splat(beta2);
  const k1 = f32x4.splat(keep1), k2 = f32x4.splat(keep2);
  const e = f32x4.splat(eps), s = f32x4.splat(stepSize), ib = f32x4.splat(invBc2);
  const sh = f32x4.splat(shrink), wd = f32x4.splat(l2);
  const vec = n & ~3;
  for (let i = 0; i < vec; i += 4) {
    const o = <usize>i << 2;
    let x = v128.load(p + o);
    let gi = v128.load(g + o);
    if (decoupled) x = f32x4.mul(x, sh);
    else if (l2 != 0) gi = madd(wd, x, gi);
    const mi = madd(b1, v128.load(m + o), f32x4.mul(k1, gi));
    const vi = madd(b2, v128.load(v + o), f32x4.mul(k2, f32x4.mul(gi, gi)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    let second = vi;
    if (vMax != 0) {
      second = f32x4.max(v128.load(vMax + o), vi);
      v128.store(vMax + o, second);
    }
    const denom = madd(f32x4.sqrt(second), ib, e);
    v128.store(p + o, f32x4.sub(x, f32x4.div(f32x4.mul(s, mi), denom)));
  }
  for (let i = vec; i < n; i++) {
    const o = <usize>i << 2;
    let x = load<f32>(p + o);
    let gi = load<f32>(g + o);
    if (decoupled) x *= shrink;
    else if (l2 != 0) gi += l2 * x;
    const mi = beta1 * load<f32>(m + o) + keep1 * gi;
    const vi = beta2 * load<f32>(v + o) + keep2 * gi * gi;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    let second = vi;
    if (vMax != 0) {
      const old = load<f32>(vMax + o);
      second = vi > old || isNaN(vi) ? vi : old;
      store<f32>(vMax + o, second);
    }
    store<f32>(p + o, x - (stepSize * mi) / (Mathf.sqrt(second) * invBc2 + eps));
  }
}

/**
 * SGD on p and g (and the momentum buffer when its address is not 0), n elements, with
 * keepDamped = 1 − τ computed in float64 by JS:
 * g ← g + λ·p; buf ← g (first) or μ·buf + (1 − τ)·g; d ← g + μ·buf (nesterov) or buf; p ← p − lr·d.
 */
export function sgdStep(
  p: usize, g: usize, buf: usize, n: i32,
  lr: f32, momentum: f32, keepDamped: f32, weightDecay: f32, nesterov: i32, first: i32,
): void {
  const rate = f32x4.splat(-lr), mu = f32x4.splat(momentum), keep = f32x4.splat(keepDamped);
  const wd = f32x4.splat(weightDecay);
  const vec = n & ~3;
  for (let i = 0; i < vec; i += 4) {
    const o = <usize>i << 2;
    const x = v128.load(p + o);
    let gi = v128.load(g + o);
    if (weightDecay != 0) gi = madd(wd, x, gi);
    if (buf != 0) {
      const b = first ? gi : madd(mu, v128.load(buf + o), f32x4.mul(keep, gi));
      v128.store(buf + o, b);
      gi = nesterov ? madd(mu, b, gi) : b;
    }
    v128.store(p + o, madd(rate, gi, x));
  }
  for (let i = vec; i < n; i++) {
    const o = <usize>i << 2;
    const x = load<f32>(p + o);
    let gi = load<f32>(g + o);
    if (weightDecay != 0) gi += weightDecay * x;
    if (buf != 0) {
      const b = first ? gi : momentum * load<f32>(buf + o) + keepDamped * gi;
      store<f32>(buf + o, b);
      gi = nesterov ? gi + momentum * b : b;
    }
    store<f32>(p + o, x - lr * gi);
  }
}
