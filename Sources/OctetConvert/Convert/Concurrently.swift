import Foundation

/// Runs `a` on the calling thread and `b` on another at the same time and returns both
/// results; when either throws, the first error (a's before b's) is rethrown after both ended.
func concurrently<A, B>(_ a: () throws -> A, _ b: () throws -> B) throws -> (A, B) {
    nonisolated(unsafe) var first: Result<A, Error>? = nil, second: Result<B, Error>? = nil
    withoutActuallyEscaping(a) { a in
        withoutActuallyEscaping(b) { b in
            nonisolated(unsafe) let (a, b) = (a, b)
            DispatchQueue.concurrentPerform(iterations: 2) { k in
                if k == 0 { first = Result { try a() } } else { second = Result { try b() } }
            }
        }
    }
    return (try first!.get(), try second!.get())
}

/// `concurrently(a, b)` when `side`, else a then b on the calling thread.
func concurrentlyIf<A, B>(_ side: Bool, _ a: () throws -> A, _ b: () throws -> B) throws -> (A, B) {
    side ? try concurrently(a, b) : (try a(), try b())
}
