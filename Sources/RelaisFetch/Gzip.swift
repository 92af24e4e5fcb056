import CZlib

/// gzip and zlib streams through the system zlib.
public enum Gzip {
    public struct Error: Swift.Error, CustomStringConvertible {
        public let description: String
    }

    /// Decompresses a gzip (or zlib) stream, refusing output over `limit` bytes.
    public static func decompress(_ input: [UInt8], limit: Int = 256 << 20) throws -> [UInt8] {
        var stream = z_stream()
        // 15 + 32: detect gzip or zlib headers automatically.
        guard relais_inflate_init(&stream, 15 + 32) == Z_OK else { throw Error(description: "inflateInit failed") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var input = input
        let status: Int32 = input.withUnsafeMutableBufferPointer { inBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = uInt(inBuf.count)
            var rc: Int32 = Z_OK
            repeat {
                rc = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                output.append(contentsOf: chunk[0..<produced])
                if output.count > limit { return Z_MEM_ERROR }
            } while rc == Z_OK && (stream.avail_in > 0 || stream.avail_out == 0)
            return rc
        }
        guard status == Z_STREAM_END else {
            throw Error(description: output.count > limit ? "decompressed data larger than \(limit) bytes" : "corrupt or truncated gzip data (zlib \(status))")
        }
        return output
    }

    /// Compresses `input` as a gzip stream.
    public static func compress(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        guard relais_deflate_init(&stream, level, 15 + 16) == Z_OK else { return [] }
        defer { deflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var input = input
        input.withUnsafeMutableBufferPointer { inBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = uInt(inBuf.count)
            var rc: Int32 = Z_OK
            repeat {
                rc = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    return deflate(&stream, Z_FINISH)
                }
                output.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
            } while rc == Z_OK
        }
        return output
    }

    /// CRC-32 of `bytes` (for ETags and checks).
    public static func crc(_ bytes: [UInt8]) -> UInt {
        bytes.withUnsafeBufferPointer { UInt(crc32(0, $0.baseAddress, uInt($0.count))) }
    }
}
