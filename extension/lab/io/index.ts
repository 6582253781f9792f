/** Reading files a user named: regular files only, size caps, errors in words with no file content. */
export { SIZE_LIMITS, WHAT_IS_CAPPED, formatBytes, type SizeLimitName } from './limits';
export { UserFileError, fromFsError, shownPath, type UserFileProblem } from './userFileError';
export {
  kindOfPath,
  kindOfPathSync,
  openRegularFileSync,
  readExactlySync,
  readRegularFile,
  readRegularFileSync,
  withRegularFile,
  type AsyncOpenFile,
  type OpenFile,
  type PathKind,
  type ReadOptions,
} from './regularFile';
export { parseJsonFile, jsonErrorOffset } from './json';
export { foreignName, isPlainWord, withoutForeignText, NOT_SHOWN } from './foreignText';
