// The part of unzipper (exceljs's own zip reader, pinned to the version exceljs ships with) used here: the
// central directory of an upload (xlsx.ts inflates the entries it needs itself); Parse, the streaming
// reader the uploads used before, for bench/xlsxRead.ts's anchor.
declare module "unzipper" {
  import type { Transform } from "node:stream";

  interface CentralDirectory {
    files: {
      path: string;
      uncompressedSize: number;
      compressedSize: number;
      compressionMethod: number;
      flags: number;
      crc32: number;
      offsetToLocalFileHeader: number;
      /** The entry inflated whole (tests read a written workbook's parts). */
      buffer(): Promise<Buffer>;
    }[];
  }
  const unzipper: {
    Open: { buffer(buf: Buffer): Promise<CentralDirectory> };
    Parse(opts?: { forceStream?: boolean }): Transform;
  };
  export default unzipper;
}
