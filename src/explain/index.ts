/**
 * `nb.explain`: one forward and backward pass written out per layer in the notes' notation
 * (z^(l), a^(l), δ^(l), ∂C/∂W^(l)), renderers for it, numerical gradient checks, and the
 * small model JSON of `nabla explain`.
 */
export { backprop, type BackpropOptions } from './backprop.js';
export { gradcheck, type GradcheckOptions, type GradcheckReport, type ParameterCheck } from './gradcheck.js';
export { renderText, renderMarkdown, renderJson, renderGradcheck, type RenderOptions } from './render.js';
export { formatNumber } from './document.js';
export { loadModelJson, type ModelJson, type LoadedModel } from './model-json.js';
export type { BackpropTrace, LayerTrace, CostTrace, TraceCheck, TraceLabels, NotesPrinted } from './types.js';
