/** Model configs: presets, key tables, resolution of a model entry into a ModelSpec, dimensions. */
export { PRESETS, PRESET_NAMES, isArchitecture, moduleOf, dimsOf, shapeOf, dropoutRates } from '../models/registry';
export { configKeyTable, configKeysOf, ARCHITECTURE_LABEL, type ConfigKeyInfo } from './configKeys';
export { RUN_SETTINGS, RUN_SETTING_DEFAULTS, checkRunSetting, type RunSettingInfo } from './runSettings';
export { MODEL_ENTRY_KEYS, type KeyDoc } from './entryKeys';
export {
  draftModelEntry,
  finishModelEntry,
  loadEntryFiles,
  resolveModelSpec,
  type EntryDraft,
  type EntryField,
  type EntryFiles,
  type FileRef,
  type HubPlanner,
  type HubRef,
  type HubSource,
  type ModelEntry,
  type ResolveContext,
  type Resolved,
} from './resolve';
export { modelSpecFromOptions, parseOptionValue, COMMAND_LINE_FILE } from './commandLine';
export { isPreset } from './sources';
export { nodeModelFileReader, type ModelFileReader } from './modelFiles';
export { checkConfigKey } from './validate';
export { DiagnosticList } from './diagnostics';
