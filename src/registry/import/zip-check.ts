import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { crc32, createInflateRaw } from 'node:zlib';

/** Why a zip was found damaged: for the error's details and the logs, not for users. */
export class ZipDamage extends Error {
  readonly entry: string | undefined;
  constructor(reason: string, entry?: string) {
    super(entry === undefined ? reason : `${entry}: ${reason}`);
    this.entry = entry;
  }
}

interface Entry {
  name: Buffer;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const DESCRIPTOR = 0x08074b50;
const DATA_DESCRIPTOR_FLAG = 0x08;
const ENCRYPTED_FLAG = 0x01;
/** No .xlsx has a central directory this big (it lists a few dozen parts). */
const MAX_CENTRAL_DIRECTORY = 16 * 1024 * 1024;

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  if (bytesRead !== length) throw new ZipDamage('cut short');
  return buffer;
}

/** An 8-byte little-endian size or offset, refused when it does not fit a safe integer. */
function uint64(buffer: Buffer, at: number): number {
  const value = buffer.readBigUInt64LE(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipDamage('size out of range');
  return Number(value);
}

/**
 * Where the end-of-central-directory record starts in a file's last bytes (-1: none): the last
 * signature whose comment fits in what follows — or, with `exact`, ends the file exactly.
 */
export function findEndRecord(tail: Buffer, exact = false): number {
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== EOCD) continue;
    const end = i + 22 + tail.readUInt16LE(i + 20);
    if (exact ? end === tail.length : end <= tail.length) return i;
  }
  return -1;
}

/** Where the central directory is and how many entries it lists, from the end records. */
async function findCentralDirectory(file: FileHandle, size: number) {
  const tailLength = Math.min(size, 65_557);
  const tail = await readAt(file, size - tailLength, tailLength);
  const at = findEndRecord(tail);
  if (at === -1) throw new ZipDamage('no end of central directory');
  const eocdPosition = size - tailLength + at;
  if (tail.readUInt16LE(at + 4) !== 0 || tail.readUInt16LE(at + 6) !== 0)
    throw new ZipDamage('split archive');
  let entries = tail.readUInt16LE(at + 10);
  if (tail.readUInt16LE(at + 8) !== entries) throw new ZipDamage('entry counts disagree');
  let length = tail.readUInt32LE(at + 12);
  let offset = tail.readUInt32LE(at + 16);
  let end = eocdPosition;
  if (entries === 0xffff || length === 0xffffffff || offset === 0xffffffff) {
    if (eocdPosition < 20) throw new ZipDamage('no zip64 locator');
    const locator = await readAt(file, eocdPosition - 20, 20);
    if (locator.readUInt32LE(0) !== ZIP64_LOCATOR) throw new ZipDamage('no zip64 locator');
    const recordAt = uint64(locator, 8);
    if (recordAt + 56 > eocdPosition - 20) throw new ZipDamage('zip64 record out of place');
    const record = await readAt(file, recordAt, 56);
    if (record.readUInt32LE(0) !== ZIP64_EOCD) throw new ZipDamage('no zip64 record');
    entries = uint64(record, 32);
    length = uint64(record, 40);
    offset = uint64(record, 48);
    end = recordAt;
  }
  // The central directory ends where the end records begin: anything else is a damaged offset.
  if (offset + length !== end) throw new ZipDamage('central directory out of place');
  if (length > MAX_CENTRAL_DIRECTORY) throw new ZipDamage('central directory too large');
  return { entries, offset, length };
}

function readCentralDirectory(directory: Buffer, count: number): Entry[] {
  const entries: Entry[] = [];
  let at = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL)
      throw new ZipDamage('bad central directory entry');
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const next = at + 46 + nameLength + extraLength + commentLength;
    if (next > directory.length) throw new ZipDamage('bad central directory entry');
    const entry: Entry = {
      name: directory.subarray(at + 46, at + 46 + nameLength),
      flags: directory.readUInt16LE(at + 8),
      method: directory.readUInt16LE(at + 10),
      crc: directory.readUInt32LE(at + 16),
      compressedSize: directory.readUInt32LE(at + 20),
      size: directory.readUInt32LE(at + 24),
      offset: directory.readUInt32LE(at + 42),
    };
    if (directory.readUInt16LE(at + 34) !== 0) throw new ZipDamage('split archive');
    if (entry.size === 0xffffffff || entry.compressedSize === 0xffffffff || entry.offset === 0xffffffff) {
      // The zip64 extra field holds, in this order, the values set to 0xffffffff above.
      const extra = directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
      let found = false;
      for (let e = 0; e + 4 <= extra.length; ) {
        const id = extra.readUInt16LE(e);
        const size = extra.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let f = e + 4;
          const take = () => {
            if (f + 8 > e + 4 + size || f + 8 > extra.length) throw new ZipDamage('bad zip64 field');
            const value = uint64(extra, f);
            f += 8;
            return value;
          };
          if (entry.size === 0xffffffff) entry.size = take();
          if (entry.compressedSize === 0xffffffff) entry.compressedSize = take();
          if (entry.offset === 0xffffffff) entry.offset = take();
          found = true;
          break;
        }
        e += 4 + size;
      }
      if (!found) throw new ZipDamage('no zip64 field', entry.name.toString('latin1'));
    }
    entries.push(entry);
    at = next;
  }
  if (at !== directory.length) throw new ZipDamage('central directory length disagrees');
  return entries;
}

/** Inflates (or reads) an entry's data and checks its length and CRC-32 against the directory. */
async function checkData(path: string, entry: Entry, start: number, name: string): Promise<void> {
  if (entry.method !== 0 && entry.method !== 8) throw new ZipDamage('unknown compression', name);
  if (entry.method === 0 && entry.compressedSize !== entry.size)
    throw new ZipDamage('stored sizes differ', name);
  if (entry.compressedSize === 0) {
    if (entry.method === 8 || entry.size !== 0 || entry.crc !== 0) throw new ZipDamage('no data', name);
    return;
  }
  const source = createReadStream(path, {
    start,
    end: start + entry.compressedSize - 1,
    highWaterMark: 1 << 20,
  });
  let crc = 0;
  let size = 0;
  const check = (chunk: Buffer) => {
    size += chunk.length;
    // More than the directory says: damaged (and never inflate a lie without end).
    if (size > entry.size) throw new ZipDamage('longer than recorded', name);
    crc = crc32(chunk, crc);
  };
  try {
    if (entry.method === 0) {
      for await (const chunk of source) check(chunk as Buffer);
    } else {
      const inflate = createInflateRaw();
      source.on('error', (error) => inflate.destroy(error));
      source.pipe(inflate);
      try {
        for await (const chunk of inflate) check(chunk as Buffer);
      } finally {
        inflate.destroy();
      }
    }
  } catch (error) {
    if (error instanceof ZipDamage) throw error;
    throw new ZipDamage(`unreadable data (${(error as Error).message})`, name);
  } finally {
    source.destroy();
  }
  if (size !== entry.size) throw new ZipDamage('shorter than recorded', name);
  if (crc >>> 0 !== entry.crc) throw new ZipDamage('CRC-32 differs', name);
}

/**
 * Checks a zip file from end to end before anything streams it: the end records and the central
 * directory agree, every entry's local header agrees with its directory entry, the entries follow
 * each other with nothing between them (a streaming reader walks them that way), and every entry
 * inflates to exactly its recorded length and CRC-32. A byte flipped anywhere a reader looks
 * makes one of these fail; throws ZipDamage. Reads the file once, in constant memory.
 */
export async function checkZip(path: string): Promise<void> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const directory = await findCentralDirectory(file, size);
    const entries = readCentralDirectory(
      await readAt(file, directory.offset, directory.length),
      directory.entries,
    ).sort((a, b) => a.offset - b.offset);
    let position = 0;
    for (const entry of entries) {
      const name = entry.name.toString('utf8');
      if (entry.offset !== position) throw new ZipDamage('entry out of place', name);
      if (entry.flags & ENCRYPTED_FLAG) throw new ZipDamage('encrypted', name);
      const local = await readAt(file, entry.offset, 30);
      if (local.readUInt32LE(0) !== LOCAL) throw new ZipDamage('bad local header', name);
      const flags = local.readUInt16LE(6);
      const nameLength = local.readUInt16LE(26);
      const extraLength = local.readUInt16LE(28);
      if (
        (flags & (DATA_DESCRIPTOR_FLAG | ENCRYPTED_FLAG)) !==
          (entry.flags & (DATA_DESCRIPTOR_FLAG | ENCRYPTED_FLAG)) ||
        local.readUInt16LE(8) !== entry.method ||
        nameLength !== entry.name.length ||
        !(await readAt(file, entry.offset + 30, nameLength)).equals(entry.name)
      )
        throw new ZipDamage('local header disagrees with the directory', name);
      if (!(flags & DATA_DESCRIPTOR_FLAG)) {
        const localCompressed = local.readUInt32LE(18);
        const localSize = local.readUInt32LE(22);
        if (
          local.readUInt32LE(14) !== entry.crc ||
          (localCompressed !== 0xffffffff && localCompressed !== entry.compressedSize) ||
          (localSize !== 0xffffffff && localSize !== entry.size)
        )
          throw new ZipDamage('local header disagrees with the directory', name);
      }
      const dataStart = entry.offset + 30 + nameLength + extraLength;
      position = dataStart + entry.compressedSize;
      if (position > directory.offset) throw new ZipDamage('entry runs into the directory', name);
      await checkData(path, entry, dataStart, name);
      if (flags & DATA_DESCRIPTOR_FLAG) {
        // crc, compressed size, size after an optional signature; 8-byte sizes in a zip64 file.
        const wide = entry.size >= 0xffffffff || entry.compressedSize >= 0xffffffff;
        const head = await readAt(file, position, 4);
        const signed = head.readUInt32LE(0) === DESCRIPTOR;
        const length = (signed ? 4 : 0) + (wide ? 20 : 12);
        if (position + length > directory.offset) throw new ZipDamage('bad data descriptor', name);
        const descriptor = (await readAt(file, position, length)).subarray(signed ? 4 : 0);
        const compressed = wide ? uint64(descriptor, 4) : descriptor.readUInt32LE(4);
        const inflated = wide ? uint64(descriptor, 12) : descriptor.readUInt32LE(8);
        if (
          descriptor.readUInt32LE(0) !== entry.crc ||
          compressed !== entry.compressedSize ||
          inflated !== entry.size
        )
          throw new ZipDamage('data descriptor disagrees with the directory', name);
        position += length;
      }
    }
    if (position !== directory.offset) throw new ZipDamage('data between the entries and the directory');
  } finally {
    await file.close();
  }
}
