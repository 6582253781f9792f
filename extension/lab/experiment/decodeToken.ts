import type { LabTokenizer } from '../tokenizers';

/**
 * Decoded text of one id, as the report's next-token candidates, lens rows and patched logits name it. A byte
 * token decoded alone is an incomplete character (U+FFFD, the same for every byte): its own surface (`<0xFA>`), as
 * the token strips show it, tells them apart. A model's vocabulary can be larger than its tokenizer's (padded
 * embeddings).
 */
export function decoderOf(tokenizer: LabTokenizer): (id: number) => string {
  return (id) => {
    if (id >= tokenizer.vocabSize) return `<id ${id}>`;
    const text = tokenizer.decode([id]);
    return text.includes('\uFFFD') ? tokenizer.tokenText(id) : text;
  };
}
