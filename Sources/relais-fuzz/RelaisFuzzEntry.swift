// relais-fuzz — libFuzzer entry point, or a replay tool in a normal build.
//
// Fuzz build (scripts/fuzz.sh): compiled with `-sanitize=fuzzer,address -D RELAIS_FUZZ`;
// the target is chosen by RELAIS_FUZZ_TARGET and libFuzzer drives the run:
//     RELAIS_FUZZ_TARGET=osm .build-fuzz/release/relais-fuzz Fuzz/corpus/osm -max_total_time=60
// Normal build: `relais-fuzz TARGET FILE…` runs each file through the target
// (to replay a crash without sanitizers, under a debugger).
import Foundation
import RelaisFuzz

#if RELAIS_FUZZ

let fuzzTarget: String = {
    let name = ProcessInfo.processInfo.environment["RELAIS_FUZZ_TARGET"] ?? ""
    guard FuzzTargets.isKnown(name) else {
        FileHandle.standardError.write(Data("relais-fuzz: set RELAIS_FUZZ_TARGET to one of: \(FuzzTargets.names.joined(separator: " "))\n".utf8))
        exit(2)
    }
    return name
}()

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutableRawPointer?, _ argv: UnsafeMutableRawPointer?) -> CInt {
    FuzzTargets.prepare(fuzzTarget)
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    FuzzTargets.run(fuzzTarget, bytes)
    return 0
}

#else

@main
struct RelaisFuzzReplay {
    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        guard let target = args.first, FuzzTargets.isKnown(target), args.count > 1 else {
            print("usage: relais-fuzz TARGET FILE…   (targets: \(FuzzTargets.names.joined(separator: " ")))")
            print("This is the replay build; the libFuzzer build is made by scripts/fuzz.sh.")
            exit(2)
        }
        FuzzTargets.prepare(target)
        for path in args.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("relais-fuzz: cannot read \(path)")
                exit(1)
            }
            let start = Date()
            FuzzTargets.run(target, [UInt8](data))
            print(String(format: "%@ %@: ok (%.3f s)", target, path, Date().timeIntervalSince(start)))
        }
    }
}

#endif
