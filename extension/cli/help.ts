/** Help texts; `--help` works on every command. */
import { PRESET_NAMES } from '../lab/models/registry';
export const MAIN_HELP = `perturbation-lab — see what a perturbation of a prompt changes inside a transformer

Usage:
  perturbation-lab compare FILE.prompt [--json] [--patch residual|heads|cross_heads] [--patch-target N] [--lens K] [--heads LAYER] [--yes] [--cache DIR] [--threads N] [--memory-limit SIZE] [--cache-limit SIZE]
  perturbation-lab states (--config NAME|PATH | --from ID) [--KEY VALUE ...] (--text "..." | --ids 1,2,3) [--encoder-text "..."] [--out FILE.json]
  perturbation-lab export (--config NAME|PATH | --from ID) [--KEY VALUE ...] --out DIR [--force]
  perturbation-lab COMMAND --help

Exit codes: 0 it ran, 1 an expect: assertion failed (reserved), 2 bad input, 3 internal error.
Built models are cached in --cache, $PERTURBATION_LAB_CACHE or ~/.cache/perturbation-lab.
Every command takes --memory-limit SIZE (default 75 % of this machine's memory; $PERTURBATION_LAB_MEMORY_LIMIT)
and --cache-limit SIZE (default 10GB; $PERTURBATION_LAB_CACHE_LIMIT), sizes such as 18GB, 500MB or bytes:
a model that cannot fit is refused before anything is built; the cache removes least recently used models.
Models from the Hub (from: in a .prompt file, --from ID) go through Hugging Face's own cache and environment:
HF_ENDPOINT, HF_HUB_OFFLINE=1 (no request at all), HF_TOKEN (or the token file of \`hf auth login\`),
HF_HUB_CACHE / HF_HOME. A download above 2GB ($PERTURBATION_LAB_CONFIRM_DOWNLOAD_ABOVE) needs --yes.
`;

export const COMPARE_HELP = `perturbation-lab compare FILE.prompt [--json] [--patch residual|heads|cross_heads] [--patch-target N] [--lens K] [--heads LAYER] [--yes] [--cache DIR] [--threads N] [--memory-limit SIZE] [--cache-limit SIZE]

Runs every model of FILE.prompt on each case's base prompt, the base again (the control) and each
variant, and says for every model × variant whether earlier positions kept their hidden states
(causal), changed (bidirectional), or whether the model is not even deterministic.

  --json        print one ComparisonReport (version 4) instead of the table
  --patch residual|heads|cross_heads
                activation patching for every model (as \`patch:\` in the file): for each block
                and position (residual), head (heads) or, in an encoder-decoder, cross-attention head
                (cross_heads), the base run with that piece replaced by the variant's, measured at the
                target position; needs eval mode and aligned tokens
  --patch-target N         the position measured: a token index from 0, negative from the end (default -1,
                the last token), as \`patch_target:\`
  --lens K      the logit lens, top K tokens per layer, for every model with an LM head (the key lens:)
  --heads LAYER one layer's attention, head by head, for every model (the key heads:)
  --yes         download from: models above the size that is confirmed first (2GB;
                $PERTURBATION_LAB_CONFIRM_DOWNLOAD_ABOVE)
  --cache DIR          model cache folder
  --threads N          onnxruntime intra-op threads (default and most: one per core)
  --memory-limit SIZE  most memory to plan for (default 75 % of the machine's; $PERTURBATION_LAB_MEMORY_LIMIT)
  --cache-limit SIZE   most disk for the model cache (default 10GB; $PERTURBATION_LAB_CACHE_LIMIT)
`;

export const STATES_HELP = `perturbation-lab states (--config NAME|PATH | --from ID) [--KEY VALUE ...] (--text "..." | --ids 1,2,3)
    [--attention-mask 0,0,1,...] [--encoder-text "..." | --encoder-ids 1,2,3] [--out FILE.json]

Runs one model on one input and writes every output as JSON under Hugging Face's names:
  one stack (BERT, GPT-2, Llama, Mistral, Qwen2):
    { input_ids, tokens, hidden_states: [layer][T][H], attentions: [layer][heads][T][T], logits? }
  encoder-decoders (BART, MarianMT): --text / --ids is the decoder input, --encoder-text / --encoder-ids the source:
    { input_ids, decoder_input_ids, encoder_hidden_states, decoder_hidden_states, encoder_attentions,
      decoder_attentions, cross_attentions: [layer][heads][decoder T][encoder T], logits }
  logits: [T][vocab], wherever the model has an LM head.

  --config NAME|PATH   a preset (${PRESET_NAMES.join(', ')}) or a config.json
  --from ID            or a model from the Hugging Face Hub (gpt2, org/name), as from_pretrained;
                       --revision REV picks a branch, tag or commit
  --KEY VALUE          any model-entry key: --is_decoder true --num_hidden_layers 4 --mode eval
                       --seed 3 --weights PATH --tokenizer PATH --add_special_tokens false
  --yes                download a --from model above the size that is confirmed first (2GB)
  --text "..."         the input text, tokenized by the model's tokenizer (an encoder-decoder's decoder input
                       is tokenized as written, without added special tokens: write its start token, <pad> or </s>)
  --ids 1,2,3          or the input ids directly
  --attention-mask 0,0,1,...   Hugging Face's attention_mask of the input (0 = padding; positions still count it)
  --encoder-text "..." / --encoder-ids 1,2,3 / --encoder-attention-mask 1,1,0   the source of an encoder-decoder
  --out FILE.json      write there instead of standard output
  --cache DIR          model cache folder
  --memory-limit SIZE  --cache-limit SIZE   as for compare
`;

export const EXPORT_HELP = `perturbation-lab export (--config NAME|PATH | --from ID) [--KEY VALUE ...] --out DIR [--force]

Writes the model as a Hugging Face folder (config.json + model.safetensors, and its tokenizer's files) that
transformers.AutoModel.from_pretrained(DIR) loads with exactly these weights and AutoTokenizer.from_pretrained(DIR)
with the same tokenizer.

  --config NAME|PATH   a preset (${PRESET_NAMES.join(', ')}) or a config.json
  --from ID            or a model from the Hugging Face Hub (--revision REV), as from_pretrained
  --KEY VALUE          any model-entry key (--seed 3, --num_hidden_layers 2, --weights PATH, --tokenizer PATH ...)
  --yes                download a --from model above the size that is confirmed first (2GB)
  --out DIR            the folder to write: new or empty (created if missing); never the folder
                       the model is read from, nor inside the model cache
  --force              write into a folder that already holds files: replaces the files an export writes
                       (config.json, model.safetensors, the tokenizer's), keeps everything else
  --cache DIR          model cache folder
  --memory-limit SIZE  --cache-limit SIZE   as for compare
`;
