/**
 * How large a file the lab reads may be. A cap turns `/proc/kcore`, a log file named config.json or a
 * hostile header length into an input error instead of gigabytes in memory. Real files are far below:
 * bert-base's config.json is 570 bytes, the largest Hub tokenizer.json files are tens of MB, a
 * safetensors header of a 70B model is about 100 kB.
 */
const MB = 1024 * 1024;

export const SIZE_LIMITS = {
  /** A Hugging Face `config.json`. */
  configJson: 1 * MB,
  /** `model.safetensors.index.json` (one line per tensor). */
  indexJson: 16 * MB,
  /** A `tokenizer.json` (vocabulary and merges). */
  tokenizerJson: 64 * MB,
  /** The JSON header of a safetensors file (the format itself allows at most 100 MB). */
  safetensorsHeader: 100 * MB,
  /** A `.prompt` file the CLI is given. */
  promptFile: 16 * MB,
} as const;

export type SizeLimitName = keyof typeof SIZE_LIMITS;

/** What a file under each cap is, for messages ("a config file may be at most 1 MB"). */
export const WHAT_IS_CAPPED: Readonly<Record<SizeLimitName, string>> = {
  configJson: 'config file',
  indexJson: 'safetensors index',
  tokenizerJson: 'tokenizer file',
  safetensorsHeader: 'safetensors header',
  promptFile: 'prompt file',
};

/** 1048576 → "1 MB", 1536 → "1.5 kB": sizes in messages. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number(value.toFixed(value < 10 ? 1 : 0))} ${units[unit]}`;
}
