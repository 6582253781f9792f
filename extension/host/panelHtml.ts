/**
 * The results panel's HTML shell: a strict CSP, the stylesheet, one nonce'd module script, an empty
 * mount point. No data ever goes into this HTML — results arrive by postMessage — so nothing from
 * a prompt or a report can become markup here. Pure (no `vscode` import): the host passes
 * `webview.cspSource`, a fresh nonce and the `asWebviewUri` of the bundle and the stylesheet.
 */

export interface PanelHtmlOptions {
  /** `webview.cspSource`: the origin the panel may load its own script, style, image and font files from. */
  cspSource: string;
  /** A fresh random value per page load (letters and digits), allowing only the bundle's script tag. */
  nonce: string;
  /** `webview.asWebviewUri(dist/webview.js)` */
  scriptUri: string;
  /** `webview.asWebviewUri(media/panel.css)` */
  styleUri: string;
}

export function panelHtml({ cspSource, nonce, scriptUri, styleUri }: PanelHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(nonce))
    throw new Error('panelHtml: the nonce must be at least 16 letters or digits');
  // A source list may hold several sources, but never a directive separator.
  if (/[;,\r\n]/.test(cspSource) || cspSource.trim() === '')
    throw new Error(`panelHtml: not a CSP source list: ${cspSource}`);
  const csp = [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(styleUri)}">
<title>Perturbation Lab</title>
</head>
<body>
<div id="app"></div>
<script type="module" nonce="${escapeAttribute(nonce)}" src="${escapeAttribute(scriptUri)}"></script>
</body>
</html>
`;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
