import zlib from "node:zlib";
import yauzl from "yauzl";

/**
 * Every entry of a ZIP file, by name, in the order they are stored. Sizes
 * and CRC-32s are checked against the central directory: a ZIP written
 * wrong is an error here, not a silent difference.
 */
export function readZip(file: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on("error", reject);
      zip.on("entry", (e: yauzl.Entry) => {
        zip.openReadStream(e, (err2, s) => {
          if (err2 || !s) return reject(err2);
          const parts: Buffer[] = [];
          s.on("data", (d: Buffer) => parts.push(d));
          s.on("error", reject);
          s.on("end", () => {
            const data = Buffer.concat(parts);
            if (zlib.crc32(data) !== e.crc32) return reject(new Error(`CRC mismatch in ${e.fileName}`));
            out.set(e.fileName, data);
            zip.readEntry();
          });
        });
      });
      zip.on("end", () => resolve(out));
      zip.readEntry();
    });
  });
}
