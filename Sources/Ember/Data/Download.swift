// Downloading a file with an MD5 check, safely: the data goes to a temporary file in the target
// folder and is renamed into place only after its checksum matched, so a failed or corrupted
// download never leaves a file under the final name.

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An error raised while downloading a file. Every case names the URL or the file.
public enum DownloadError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The expected checksum is not 32 hexadecimal digits.
    case invalidChecksum(String)
    /// The server could not be reached, or the connection failed (refused, DNS, timeout, TLS).
    case transport(url: String, reason: String)
    /// The server answered with an HTTP status other than 2xx.
    case httpStatus(url: String, code: Int)
    /// The downloaded data's MD5 differs from the expected one; nothing was kept.
    case checksumMismatch(url: String, expected: String, actual: String)
    /// The file could not be written, or the target folder could not be created.
    case fileSystem(path: String, reason: String)
    /// Every mirror failed for `file`; the individual failures are listed.
    case allMirrorsFailed(file: String, failures: [String])

    /// A readable explanation of the problem, naming the file or value involved.

    public var description: String {
        switch self {
        case .invalidChecksum(let value):
            return "invalid MD5 checksum \"\(value)\": expected 32 hexadecimal digits"
        case .transport(let url, let reason):
            return "download of \(url) failed: \(reason)"
        case .httpStatus(let url, let code):
            return "download of \(url) failed: the server answered HTTP \(code)"
        case .checksumMismatch(let url, let expected, let actual):
            return "download of \(url) is corrupt: MD5 \(actual), expected \(expected); the file was discarded"
        case .fileSystem(let path, let reason):
            return "cannot write download to \(path): \(reason)"
        case .allMirrorsFailed(let file, let failures):
            return "could not download \(file) from any mirror:\n  " + failures.joined(separator: "\n  ")
        }
    }

    /// The same text as `description`, so `error.localizedDescription` reads well too.

    public var errorDescription: String? { description }
}

/// Downloads files over HTTP(S) with checksum verification.
///
/// ```swift
/// try Download.file(from: URL(string: "https://example.org/data.gz")!,
///                   to: URL(fileURLWithPath: "data/data.gz"),
///                   md5: "9fb629c4189551a2d022fa330f9573f3")
/// ```
public enum Download {
    /// Called now and then during a download with the bytes received so far and the total size
    /// when the server announced it.
    public typealias Progress = @Sendable (_ received: Int64, _ expected: Int64?) -> Void

    /// Downloads `url` to the file `destination`, blocking until done.
    ///
    /// The data is streamed into a temporary file in `destination`'s folder (created if needed)
    /// while its MD5 is computed; only when the checksum matches is the temporary file renamed to
    /// `destination` (replacing an older file atomically). On any failure the temporary file is
    /// removed and `destination` is left as it was.
    ///
    /// When `destination` already exists and its MD5 matches, nothing is downloaded.
    ///
    /// - Parameters:
    ///   - md5: the expected MD5 as 32 hex digits (any case), or `nil` to skip the check (and
    ///     always download).
    ///   - timeout: seconds without any data after which the transfer is abandoned.
    ///   - progress: optional progress callback (called on a background thread).
    /// - Returns: `true` when a file was downloaded, `false` when a valid file was already there.
    /// - Throws: ``DownloadError``.
    @discardableResult
    public static func file(from url: URL, to destination: URL, md5: String?,
                            timeout: TimeInterval = 60, progress: Progress? = nil) throws -> Bool {
        let expected = try md5.map { value -> String in
            let lower = value.lowercased()
            guard lower.count == 32, lower.allSatisfy({ $0.isHexDigit }) else {
                throw DownloadError.invalidChecksum(value)
            }
            return lower
        }
        let fileManager = FileManager.default
        if let expected, fileManager.fileExists(atPath: destination.path),
           (try? MD5.hexDigest(ofFileAt: destination)) == expected {
            return false
        }
        let folder = destination.deletingLastPathComponent()
        do {
            try fileManager.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw DownloadError.fileSystem(path: folder.path, reason: error.localizedDescription)
        }
        let temporary = folder.appendingPathComponent(
            ".\(destination.lastPathComponent).part-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        guard fileManager.createFile(atPath: temporary.path, contents: nil) else {
            throw DownloadError.fileSystem(path: temporary.path, reason: "cannot create a temporary file")
        }
        var keep = false
        defer { if !keep { try? fileManager.removeItem(at: temporary) } }

        let handle: FileHandle
        do {
            handle = try FileHandle(forWritingTo: temporary)
        } catch {
            throw DownloadError.fileSystem(path: temporary.path, reason: error.localizedDescription)
        }
        let digest = try transfer(url: url, into: handle, path: temporary.path, timeout: timeout, progress: progress)
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw DownloadError.fileSystem(path: temporary.path, reason: error.localizedDescription)
        }
        if let expected, digest != expected {
            throw DownloadError.checksumMismatch(url: url.absoluteString, expected: expected, actual: digest)
        }
        guard rename(temporary.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            throw DownloadError.fileSystem(path: destination.path, reason: reason)
        }
        keep = true
        return true
    }

    /// Runs one transfer into `handle` and returns the MD5 of the bytes written.
    private static func transfer(url: URL, into handle: FileHandle, path: String, timeout: TimeInterval,
                                 progress: Progress?) throws -> String {
        let receiver = StreamingReceiver(handle: handle, progress: progress)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: receiver, delegateQueue: queue)
        defer { session.finishTasksAndInvalidate() }
        let task = session.dataTask(with: URLRequest(url: url))
        task.resume()
        receiver.done.wait()

        let outcome = receiver.outcome()
        if let writeError = outcome.writeError {
            throw DownloadError.fileSystem(path: path, reason: writeError)
        }
        if let status = outcome.status, !(200..<300).contains(status) {
            throw DownloadError.httpStatus(url: url.absoluteString, code: status)
        }
        if let error = outcome.error {
            throw DownloadError.transport(url: url.absoluteString, reason: Self.describe(error))
        }
        if let expectedLength = outcome.expectedLength, expectedLength != outcome.received {
            throw DownloadError.transport(url: url.absoluteString,
                                          reason: "connection closed after \(outcome.received) of \(expectedLength) bytes")
        }
        return outcome.md5
    }

    private static func describe(_ error: Error) -> String {
        let ns = error as NSError
        if ns.domain == NSURLErrorDomain {
            switch ns.code {
            case NSURLErrorCannotConnectToHost: return "cannot connect to the host (connection refused; is the server running?)"
            case NSURLErrorCannotFindHost: return "host not found (DNS lookup failed)"
            case NSURLErrorTimedOut: return "timed out waiting for data"
            case NSURLErrorNotConnectedToInternet: return "not connected to the internet"
            case NSURLErrorNetworkConnectionLost: return "the network connection was lost"
            default: break
            }
        }
        return "\(ns.localizedDescription) (\(ns.domain) \(ns.code))"
    }
}

/// URLSession delegate that streams the body into a file and hashes it on the way.
private final class StreamingReceiver: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    struct Outcome {
        var status: Int?
        var error: Error?
        var writeError: String?
        var received: Int64
        var expectedLength: Int64?
        var md5: String
    }

    let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private let handle: FileHandle
    private let progress: Download.Progress?
    private var md5 = MD5()
    private var status: Int?
    private var error: Error?
    private var writeError: String?
    private var received: Int64 = 0
    private var expectedLength: Int64?

    init(handle: FileHandle, progress: Download.Progress?) {
        self.handle = handle
        self.progress = progress
    }

    func outcome() -> Outcome {
        lock.lock()
        defer { lock.unlock() }
        return Outcome(status: status, error: error, writeError: writeError, received: received,
                       expectedLength: expectedLength, md5: md5.hexString())
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        let code = (response as? HTTPURLResponse)?.statusCode
        lock.lock()
        status = code
        expectedLength = response.expectedContentLength >= 0 ? response.expectedContentLength : nil
        lock.unlock()
        if let code, !(200..<300).contains(code) {
            completionHandler(.cancel)
        } else {
            completionHandler(.allow)
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        if writeError == nil {
            do {
                try handle.write(contentsOf: data)
                md5.update(data)
                received += Int64(data.count)
            } catch {
                writeError = error.localizedDescription
                dataTask.cancel()
            }
        }
        let (soFar, total) = (received, expectedLength)
        lock.unlock()
        progress?(soFar, total)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        lock.lock()
        self.error = error
        if status == nil, let http = task.response as? HTTPURLResponse { status = http.statusCode }
        lock.unlock()
        done.signal()
    }
}
