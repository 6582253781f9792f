/**
 * What `sharp` resolves to in the bundles (build.mjs aliases it). transformers.js `require`s sharp when it
 * loads and calls it only to decode or resize images; Perturbation Lab uses its tokenizers and never its
 * image code, so sharp and libvips (18 MB per platform) stay out of the package. Loading this costs nothing;
 * a call — image code we never meant to reach — says plainly what happened instead of failing deep inside.
 */
function sharpUnavailable(): never {
  throw new Error(
    'Perturbation Lab is packaged without sharp, so transformers.js image processing is unavailable ' +
      '(only its tokenizers are used). This is a bug in Perturbation Lab: please report it.',
  );
}

export = sharpUnavailable;
