import EmberCore

/// Streaming decoder of concatenated LZ4 frames (`.lz4` files of the `lz4` tool): each
/// block is decoded once it has fully arrived; linked-block frames keep the last 64 KiB
/// of output as the history later blocks may refer to.
final class LZ4FrameStreamDecoder: StreamDecompressor {
    private enum State { case magic, block, contentChecksum, skip(Int) }

    private var input = PendingInput()
    private var state = State.magic
    private var header = LZ4FrameHeader(
        blockIndependent: true, blockChecksum: false, contentChecksum: false, contentSize: nil, blockMaxSize: 0, size: 0)
    private var window: UnsafeMutablePointer<UInt8>?
    private var windowCapacity = 0
    /// Bytes of earlier output kept at the start of `window` (linked blocks only).
    private var history = 0
    private var hasher = XXHash32()
    private var frameOutput: UInt64 = 0
    private let name = LZ4.frameName

    deinit { window?.deallocate() }

    func decompress(_ chunk: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard chunk.count > 0 else { return }
        // Skipped data need not be buffered.
        if case .skip(let left) = state, input.available == 0 {
            let k = min(left, chunk.count)
            input.append(UnsafeRawBufferPointer(rebasing: chunk[k...]))
            state = left - k > 0 ? .skip(left - k) : .magic
            skipConsumed(k)
        } else {
            input.append(chunk)
        }
        try drain(sink)
    }

    func finish(sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try drain(sink)
        switch state {
        case .magic where input.available == 0: return
        case .skip(0): return
        default: throw EmberError.corruptData(name, at: input.consumed + input.available, "the input ends inside a frame")
        }
    }

    private var skippedOutsideBuffer = 0
    private func skipConsumed(_ k: Int) { skippedOutsideBuffer += k }
    private var offset: Int { input.consumed + skippedOutsideBuffer }

    private func drain(_ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        while true {
            let step = try input.withBytes { p, n -> Int? in try parse(p, n, sink) }
            guard let consumed = step else { return }
            input.advance(consumed)
        }
    }

    /// Parses one unit (frame header, block, checksum) at `p`; returns the bytes it used,
    /// or nil when more input is needed.
    private func parse(_ p: UnsafePointer<UInt8>, _ n: Int, _ sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Int? {
        switch state {
        case .skip(let left):
            guard left > 0 || n > 0 else { return nil }
            let k = min(left, n)
            state = left - k > 0 ? .skip(left - k) : .magic
            return k > 0 ? k : nil
        case .magic:
            guard n >= 4 else { return nil }
            let magic = load32(p)
            if magic & LZ4FrameHeader.skippableMask == LZ4FrameHeader.skippableMagic {
                guard n >= 8 else { return nil }
                state = .skip(Int(load32(p + 4)))
                return 8
            }
            guard magic == LZ4FrameHeader.magic else {
                throw EmberError.corruptData(name, at: offset, "not an LZ4 frame (magic number 0x\(String(magic, radix: 16)))")
            }
            guard let h = try LZ4FrameHeader.parse(p, n, offset: offset) else { return nil }
            header = h
            let need = h.blockMaxSize + (h.blockIndependent ? 0 : 65536)
            if windowCapacity < need {
                window?.deallocate()
                window = .allocate(capacity: need)
                windowCapacity = need
            }
            history = 0
            hasher = XXHash32()
            frameOutput = 0
            state = .block
            return h.size
        case .block:
            guard n >= 4 else { return nil }
            let word = load32(p)
            if word == 0 {
                state = header.contentChecksum ? .contentChecksum : .magic
                if !header.contentChecksum { try checkContentSize() }
                return 4
            }
            let size = Int(word & 0x7FFF_FFFF)
            guard size <= header.blockMaxSize else {
                throw EmberError.corruptData(name, at: offset, "a block of \(size) bytes exceeds the frame's \(header.blockMaxSize)")
            }
            let need = 4 + size + (header.blockChecksum ? 4 : 0)
            guard n >= need else { return nil }
            let block = UnsafeRawBufferPointer(start: p + 4, count: size)
            if header.blockChecksum, XXHash32.hash(block) != load32(p + 4 + size) {
                throw EmberError.corruptData(name, at: offset + 4, "block checksum mismatch")
            }
            guard let w = window else { throw EmberError.internalError("LZ4 frame window missing") }
            let start = header.blockIndependent ? 0 : history
            let end: Int
            if word & 0x8000_0000 != 0 {
                (w + start).update(from: p + 4, count: size)
                end = start + size
            } else {
                var out = OutputBuffer(fixed: UnsafeMutableRawBufferPointer(start: w, count: windowCapacity), codec: name)
                end = try LZ4.decodeBlock(
                    block, into: &out, start: start, end: start + header.blockMaxSize, historyStart: 0, codec: name,
                    inputOffset: offset + 4)
            }
            let produced = UnsafeRawBufferPointer(start: w + start, count: end - start)
            if header.contentChecksum { hasher.update(produced) }
            frameOutput += UInt64(end - start)
            try sink(produced)
            if !header.blockIndependent {
                let keep = min(end, 65536)
                if end > keep { UnsafeMutableRawPointer(w).copyMemory(from: w + (end - keep), byteCount: keep) }
                history = keep
            }
            return need
        case .contentChecksum:
            guard n >= 4 else { return nil }
            guard hasher.digest() == load32(p) else { throw EmberError.corruptData(name, at: offset, "content checksum mismatch") }
            try checkContentSize()
            state = .magic
            return 4
        }
    }

    private func checkContentSize() throws {
        if let cs = header.contentSize, cs != frameOutput {
            throw EmberError.corruptData(name, at: offset, "the frame decodes to \(frameOutput) bytes, its header says \(cs)")
        }
    }
}
