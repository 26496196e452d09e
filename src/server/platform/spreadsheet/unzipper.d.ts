// The part of unzipper (exceljs's own zip reader, pinned to the version exceljs ships with) used here.
declare module "unzipper" {
  import type { Transform } from "node:stream";

  interface CentralDirectory {
    files: { path: string; uncompressedSize: number; compressedSize: number }[];
  }
  const unzipper: {
    Open: { buffer(buf: Buffer): Promise<CentralDirectory> };
    Parse(opts?: { forceStream?: boolean }): Transform;
  };
  export default unzipper;
}
