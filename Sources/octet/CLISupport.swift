import ArgumentParser
import Foundation
import OctetConvert

/// Shared plumbing for the subcommands: error reporting, option types, small formatting helpers.
enum CLI {
    /// Runs a subcommand body. Any failure that is not an ArgumentParser exit/usage error is
    /// printed as `error: <message>` on stderr and turned into exit code 1 (no traps, no traces).
    static func reportingErrors(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch let error as CleanExit {
            throw error
        } catch {
            printError(message(for: error))
            throw ExitCode.failure
        }
    }

    static func message(for error: Error) -> String {
        if let error = error as? ConvertError { return error.description }
        if let error = error as? CocoaError, let underlying = error.underlying as? POSIXError {
            let path = error.filePath.map { " '\($0)'" } ?? ""
            return "file\(path): \(String(cString: strerror(underlying.code.rawValue)))"
        }
        if error is CocoaError { return error.localizedDescription }
        return String(describing: error)
    }

    /// Writes `error: <message>` to stderr.
    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }

    /// Writes `note: <message>` to stderr.
    static func printNote(_ message: String) {
        FileHandle.standardError.write(Data("note: \(message)\n".utf8))
    }

    /// `[2, 3, 64, 64]`.
    static func shapeText(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }
}

/// A comma-separated list of floats, e.g. `0.485,0.456,0.406`.
/// A comma-separated list of positive integers, e.g. `--threads 1,2`.
/// `--threads n`: threads per inference, all cores unless given.
struct ThreadsOption: ParsableArguments {
    @Option(help: ArgumentHelp("Threads each inference is split over (default: all cores; results are identical for any count).", valueName: "n"))
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be 1 or more, got \(threads).") }
    }

    var count: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }
}

struct IntList: ExpressibleByArgument, Sendable {
    var values: [Int]

    init?(argument: String) {
        let values = argument.split(separator: ",", omittingEmptySubsequences: false)
            .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.count == argument.split(separator: ",", omittingEmptySubsequences: false).count,
              values.allSatisfy({ $0 > 0 }) else { return nil }
        self.values = values
    }
}

struct FloatList: ExpressibleByArgument, Sendable {
    var values: [Float]

    init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        var values: [Float] = []
        for part in parts {
            guard let v = Float(part), v.isFinite else { return nil }
            values.append(v)
        }
        guard !values.isEmpty else { return nil }
        self.values = values
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
