/** The tool's version, as package.json has it (esbuild inlines the JSON). */
import pkg from '../../package.json';

export const TOOL_VERSION: string = pkg.version;
