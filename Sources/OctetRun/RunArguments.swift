/// octet-run's command line.
struct RunArguments {
    var model = ""
    var inputs: [String] = []
    var output: String? = nil
    var threads = 1
    /// Timed invokes of --bench (nil: run mode).
    var bench: Int? = nil
    var warmup = 2
    var kernels: String? = nil
    var help = false

    static let usage = """
    usage: octet-run MODEL.octet --input X.npy [--input X2.npy …] --output Y.npy [--threads N] [--kernels PATH]
           octet-run MODEL.octet --bench N [--warmup W] [--input X.npy …] [--threads N] [--kernels PATH]
           octet-run --help

    Runs a .octet model (made by `octet convert`) on the int8 runtime.
      --input FILE    a .npy array per model input, in order (the model's layout; a leading
                      batch N runs item by item); f32 values, or raw 0…255 pixels for a
                      --uint8-input model. --bench without --input uses fixed pseudo-random data.
      --output FILE   the first output as float32 .npy; output i > 0 goes beside it as
                      <stem>.<output name>.npy. Nothing is written unless every output is.
      --threads N     threads per op, the caller's included (default 1); results are identical.
      --kernels PATH  auto (default), reference, scalar, neon, dotprod, i8mm, avx2, avxvnni,
                      avx512vnni (also OCTET_KERNELS).
      --bench N       time N invokes (after --warmup W, default 2): min and median latency,
                      arena bytes, kernel path, CPU features. Each timed invoke is bracketed by
                      lseek(-1, 0xC7E70001 / 0xC7E70002, SEEK_SET) markers for instruction counting.

    """

    static func parse(_ arguments: [String]) throws(RunError) -> RunArguments {
        var a = RunArguments()
        var i = 0
        func value(_ flag: String) throws(RunError) -> String {
            guard i + 1 < arguments.count else { throw RunError.usage("\(flag) needs a value") }
            i += 1
            return arguments[i]
        }
        func count(_ flag: String, minimum: Int) throws(RunError) -> Int {
            let text = try value(flag)
            guard let n = Int(text), n >= minimum else { throw RunError.usage("\(flag) takes a whole number ≥ \(minimum), got '\(text)'") }
            return n
        }
        while i < arguments.count {
            let arg = arguments[i]
            switch arg {
            case "-h", "--help": a.help = true
            case "--input": a.inputs.append(try value(arg))
            case "--output": a.output = try value(arg)
            case "--threads": a.threads = try count(arg, minimum: 1)
            case "--bench": a.bench = try count(arg, minimum: 1)
            case "--warmup": a.warmup = try count(arg, minimum: 0)
            case "--kernels": a.kernels = try value(arg)
            default:
                guard !arg.hasPrefix("-") || arg == "-" else { throw RunError.usage("unknown option '\(arg)'") }
                guard a.model.isEmpty else { throw RunError.usage("one model only: got '\(a.model)' and '\(arg)'") }
                a.model = arg
            }
            i += 1
        }
        if a.help { return a }
        guard !a.model.isEmpty else { throw RunError.usage("missing the model (a .octet file)") }
        if a.bench == nil {
            guard !a.inputs.isEmpty else { throw RunError.usage("missing --input (one .npy file per model input)") }
            guard a.output != nil else { throw RunError.usage("missing --output (the .npy file to write)") }
        } else if a.output != nil {
            throw RunError.usage("--output does not go with --bench")
        }
        return a
    }
}
