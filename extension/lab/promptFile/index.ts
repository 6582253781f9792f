/** The `.prompt` file: parsing into an Experiment, and the pieces the language server reuses. */
export {
  parsePromptFile,
  loadModelFiles,
  loadPromptFile,
  loadExperiment,
  type LoadedPromptFile,
  type LoadOptions,
  type ParseOptions,
  type ParseResult,
} from './parse';
export { outlinePromptFile, type PromptFileOutline, type OutlineModel, type KeyPlace } from './outline';
export {
  classifyBodyLine,
  parseBody,
  type BodyLine,
  type BodyLineKind,
  type ClassifiedLine,
  type LineProblem,
  type ParsedBody,
} from './body';
export { KNOWN_KEYS, TOP_LEVEL_KEYS, CASE_KEYS, ENTRY_KEYS, type KeyDoc, type KnownKeys } from './keys';
export { layoutOf, type FileLayout } from './layout';
