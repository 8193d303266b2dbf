import OctetFiles
import OctetKernels
import OctetRuntime

/// octet-run: the minimal CLI of the runtime alone (no Foundation, no converter), which also
/// builds as Embedded Swift into one static binary for aarch64 and x86_64 (tools/arm/build.sh).
public enum OctetRun {
    /// Runs octet-run on `arguments` (without the program name); returns the exit status:
    /// 0 done, 1 failed (a message on stderr, no output file written), 64 usage error.
    public static func main(_ arguments: [String]) -> Int32 {
        do throws(RunError) {
            let a = try RunArguments.parse(arguments)
            if a.help {
                octk_write_stdout(RunArguments.usage)
                return 0
            }
            if a.bench != nil { try Bench.run(a) } else { try Run.run(a) }
            return 0
        } catch {
            switch error {
            case let .usage(message):
                octk_write_stderr("error: \(message)\n\n\(RunArguments.usage)")
                return 64
            case let .failure(message):
                octk_write_stderr("error: \(message)\n")
                return 1
            }
        }
    }
}

/// The C entry point (tools/arm/octet_run_main.c calls it from `main`).
@_cdecl("octet_run_main")
public func octetRunMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var arguments: [String] = []
    if let argv {
        for i in 1..<max(Int(argc), 1) { arguments.append(argv[i].map { String(cString: $0) } ?? "") }
    }
    return OctetRun.main(arguments)
}

/// The loaded model and its interpreter, as both modes open them.
struct LoadedModel {
    let model: OctetModel
    let interpreter: Interpreter
    /// Nanoseconds spent mapping, verifying and preparing.
    let loadNanoseconds: Int64

    init(_ a: RunArguments) throws(RunError) {
        let start = octk_clock_ns()
        do throws(OctetError) {
            model = try OctetModel(path: a.model)
        } catch {
            throw RunError.model(a.model, error)
        }
        let path: KernelPath
        switch a.kernels {
        case nil, "auto": path = .automatic
        case "reference": path = .reference
        case let name?: path = .named(name)
        }
        do throws(OctetError) {
            interpreter = try Interpreter(model: model, kernels: path, threads: a.threads)
        } catch {
            throw RunError.failure(error.description)
        }
        loadNanoseconds = octk_clock_ns() - start
    }
}

/// Reads a whole file through a read-only mapping.
func withMappedFile<R>(_ path: String, what: String, _ body: (UnsafeRawBufferPointer) throws(RunError) -> R) throws(RunError) -> R {
    var data: UnsafeRawPointer? = nil
    var size = 0, error: Int32 = 0
    switch octk_file_map(path, &data, &size, &error) {
    case OCTK_FILE_OK: break
    case OCTK_FILE_NOT_REGULAR: throw RunError.failure("cannot read \(what) '\(path)': not a regular file")
    case OCTK_FILE_EMPTY: throw RunError.failure("cannot read \(what) '\(path)': the file is empty")
    default: throw RunError.failure("cannot read \(what) '\(path)': \(systemErrorText(error))")
    }
    defer { octk_file_unmap(data, size) }
    return try body(UnsafeRawBufferPointer(start: data, count: size))
}

/// A .npy input file, mapped and decoded.
func readNumpy(_ path: String) throws(RunError) -> NumpyArray {
    try withMappedFile(path, what: "input") { bytes throws(RunError) in
        do throws(NumpyError) {
            return try NumpyArray.decode(bytes, name: path)
        } catch {
            throw RunError.failure(error.message)
        }
    }
}

/// "[1, 3, 224, 224]"
func shapeText(_ shape: [Int]) -> String { "[" + shape.map { "\($0)" }.joined(separator: ", ") + "]" }

/// Nanoseconds as milliseconds with three decimals ("12.345").
func milliseconds(_ ns: Int64) -> String {
    let us = (ns + 500) / 1000
    let frac = "\(us % 1000)"
    return "\(us / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
}
