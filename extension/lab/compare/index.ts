/** Comparison of a base input and its variant inside one model (see DESIGN.md, "What a comparison reports"). */
export type { CompareInput, ModelRun, NoiseFloor } from './types';
export { compareVariant } from './compareVariant';
export { alignTokens } from './alignment';
export { compareHiddenStates } from './layerMetrics';
export { compareControl } from './control';
export { noiseFloorOf, roundingFloor, isNondeterministic, ROUNDING_ULPS } from './noiseFloor';
export { findFrontier } from './frontier';
export { nextTokenShift, logSoftmax, klDivergence, topCandidates } from './nextToken';
export { compareVectors, allcloseTorch, isCloseTorch } from './vectorMetrics';
