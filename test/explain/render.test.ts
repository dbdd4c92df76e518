import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends } from '../helpers';
import { notes222, notes231 } from './fixtures';

const labels: nb.explain.TraceLabels = {
  neurons: [['i1', 'i2'], ['h1', 'h2'], ['o1', 'o2']],
  weights: [[['w1', 'w2'], ['w3', 'w4']], [['w5', 'w6'], ['w7', 'w8']]],
};

describe.each(backends)('explain renderers on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));
  const trace222 = (): nb.explain.BackpropTrace => nb.explain.backprop(notes222.model(), notes222.x, notes222.y, { lr: 0.5, labels });
  const trace231 = (): nb.explain.BackpropTrace => nb.explain.backprop(notes231.model(), notes231.x, notes231.y, {
    loss: 'bce',
    notesPrinted: [{ quantity: 'a', layer: 2, index: [0, 0], printed: 0.0524, comment: 'decimal point' }, { quantity: 'dW', layer: 1, index: [0, 1], printed: 0.0105 }],
  });

  it('text: the notes\' notation and the worked example\'s numbers', () => {
    const text = nb.explain.renderText(trace222());
    for (const s of [
      'δ^(2)', 'δ^(1)', 'z^(1) = W^(1) a^(0) + b^(1)', 'a^(2) = σ(z^(2))', "δ^(l) = (W^(l+1))ᵀ δ^(l+1) ⊙ f'(z^(l))",
      'δ^(1) = (W^(2))ᵀ δ^(2) ⊙ σ\'(z^(1))', '∂C/∂W^(2) = δ^(2) (a^(1))ᵀ', "σ'(z^(2)) = σ(z)(1 − σ(z))", 'C = Σ ½(y − ŷ)²',
      '0.75136507', '0.77292847', 'C = 0.29837111', '0.08216704',
      '0.35891648', '0.40866619', '0.51130127', '0.56137012', '0.14978072', '0.19956143', '0.24975114', '0.29950229',
      'W^(2) = [[0.35891648, 0.40866619], [0.51130127, 0.56137012]]', '4. Gradient step (λ = 0.5)',
    ]) expect(text, s).toContain(s);
    // Labels: w5 is the weight from h1 to o1, with its value, gradient and updated value on one line.
    expect(text).toMatch(/w5 +h1 → o1 +0\.40000000 +0\.08216704 +0\.35891648/);
    expect(text).toMatch(/o1 +0\.74136507 +0\.18681560 +0\.13849856/);
  });

  it('text for the 2-3-1 example: ∂L/∂W^(1), the σ/cross-entropy shortcut and the notes\' misprints', () => {
    const text = nb.explain.renderText(trace231());
    for (const s of ['0.52390252', '-0.47609748', '-0.27581482', '-0.24280908', '-0.26647826', '-0.03480858', '0.02379535', '-0.04693070',
      '-0.01740429', '-0.01044257', '0.01189768', '0.00713861', '-0.02346535', '-0.01407921', '= ŷ − y', 'Where the notes print a different number']) {
      expect(text, s).toContain(s);
    }
    expect(text).toMatch(/a\^\(2\) at 1 +0\.0524 +0\.52390252 +decimal point/);
    expect(text).toMatch(/∂C\/∂w\^\(1\)_12 +0\.0105 +-0\.01044257/);
    expect(text).not.toContain('Gradient step');
  });

  it('digits sets the decimals', () => {
    const text = nb.explain.renderText(trace222(), { digits: 4 });
    expect(text).toContain('0.7514');
    expect(text).not.toContain('0.75136507');
    expect(() => nb.explain.renderText(trace222(), { digits: -1 })).toThrow(/digits/);
  });

  it('markdown: headings, GitHub tables with numbers right-aligned, formulas in code blocks', () => {
    const md = nb.explain.renderMarkdown(trace222());
    const lines = md.split('\n');
    expect(lines[0]).toBe('# Backpropagation, step by step');
    for (const h of ['## Notation', '## 1. Forward pass', '## 2. Cost', '## 3. Backward pass', '### Layer 2 (output)', '## Check']) expect(lines).toContain(h);
    expect(md).toContain('```text\nz^(1) = W^(1) a^(0) + b^(1)\na^(1) = σ(z^(1))\n```');
    expect(md).toContain('δ^(2)');
    expect(lines).toContain('| parameter | connects | value | ∂C/∂(parameter) | after step (λ = 0.5) |');
    expect(lines).toContain('| --- | --- | ---: | ---: | ---: |');
    expect(lines).toContain('| w5 | h1 → o1 | 0.40000000 | 0.08216704 | 0.35891648 |');
    // Every table row has as many cells as its header (escaped pipes \| do not count).
    const cells = (row: string): number => row.replace(/\\\|/g, '').split('|').length - 2;
    let tables = 0;
    lines.forEach((line, i) => {
      if (!line.startsWith('|') || lines[i - 1]?.startsWith('|')) return;
      tables++;
      for (let j = i; lines[j]?.startsWith('|'); j++) expect(cells(lines[j]), lines[j]).toBe(cells(line));
    });
    expect(tables).toBeGreaterThan(8);
    // Markdown's special characters in labels are escaped.
    const t = nb.explain.backprop(notes231.model(), notes231.x, notes231.y, { loss: 'bce' });
    expect(nb.explain.renderMarkdown(t)).toContain('w^(1)\\_12');
  });

  it('json: the whole trace at full precision, matrices as rows', () => {
    const trace = trace222();
    const json = nb.explain.renderJson(trace);
    const back = JSON.parse(json);
    expect(back).toEqual(JSON.parse(JSON.stringify(trace)));
    expect(back.format).toBe('nabla.explain.backprop/1');
    expect(back.layers).toHaveLength(2);
    expect(back.layers[1].dW[0][0]).toBe(trace.layers[1].dW[0][0]);
    expect(Object.keys(back.layers[0])).toEqual(expect.arrayContaining(['input', 'z', 'a', 'dCda', 'fprime', 'delta', 'dW', 'db', 'updatedWeight']));
    expect(json).toContain(`"weight": [\n`);
    expect(json).toMatch(/\[0\.4, 0\.45\]/);
  });

  it('a batch: an example column and sums over the examples', () => {
    const t = nb.explain.backprop(notes222.model(), [[0.05, 0.1], [0.3, -0.2]], [[0.01, 0.99], [0.7, 0.2]], { labels });
    const text = nb.explain.renderText(t);
    expect(text).toContain('2 examples');
    expect(text).toContain('∂C/∂W^(2) = Σ_i δ^(2)(i) (a^(1)(i))ᵀ');
    expect(text).toMatch(/example +neuron +z\^\(2\)/);
    expect(text).toMatch(/\n +1 +o1 +1\.10590597 +0\.75136507/);
    expect(text).toMatch(/\n +2 +o2 /);
  });

  it('formatNumber: fixed decimals, no negative zero, tiny values in exponent form', () => {
    expect(nb.explain.formatNumber(0.751365069)).toBe('0.75136507');
    expect(nb.explain.formatNumber(-1e-12, 8)).toBe('-1.00e-12');
    expect(nb.explain.formatNumber(-1e-10 * 0.3, 4)).toBe('-3.00e-11');
    expect(nb.explain.formatNumber(-0)).toBe('0.00000000');
    expect(nb.explain.formatNumber(Number.NaN)).toBe('NaN');
  });

  it('renderGradcheck: per-parameter errors and the largest', () => {
    const report = nb.explain.gradcheck(notes222.model(), notes222.x, notes222.y);
    const text = nb.explain.renderGradcheck(report);
    expect(text).toContain('W^(1)');
    expect(text).toContain('b^(2)');
    expect(text).toMatch(/largest relative error: \d\.\d\de-\d+ \(/);
    expect(JSON.parse(nb.explain.renderJson(report)).maxRelError).toBe(report.maxRelError);
  });
});
