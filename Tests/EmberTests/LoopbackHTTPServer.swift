// A tiny HTTP server bound to 127.0.0.1 only, for download tests. It serves fixed routes,
// answers at most `maxConnections` requests and stops by itself after `lifetime` seconds.

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class LoopbackHTTPServer: @unchecked Sendable {
    struct Route {
        var status: Int = 200
        var body: Data
        /// Send only this many body bytes (while announcing the full length), then close.
        var cutAfter: Int? = nil
        /// Read the request, then wait this long and close without answering.
        var stallSeconds: Double? = nil
    }

    let port: UInt16
    private let listener: Int32
    private let routes: [String: Route]
    private let lock = NSLock()
    private var stopped = false
    private var served: [String] = []
    private let finished = DispatchSemaphore(value: 0)

    /// The request paths answered so far.
    var requests: [String] {
        lock.lock()
        defer { lock.unlock() }
        return served
    }

    init(routes: [String: Route], maxConnections: Int = 16, lifetime: TimeInterval = 30) throws {
        self.routes = routes
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = UInt16(bigEndian: address.sin_port)
        self.listener = fd
        let deadline = Date().addingTimeInterval(lifetime)
        let thread = Thread { [self] in
            self.serve(maxConnections: maxConnections, deadline: deadline)
        }
        thread.start()
    }

    /// A port on 127.0.0.1 where nothing listens (bound once, then closed).
    static func closedPort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        close(fd)
        return UInt16(bigEndian: address.sin_port)
    }

    func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }

    /// Asks the server to stop and waits (briefly) for its thread to finish.
    func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
        _ = finished.wait(timeout: .now() + 5)
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    private func serve(maxConnections: Int, deadline: Date) {
        defer {
            close(listener)
            finished.signal()
        }
        var count = 0
        while count < maxConnections && Date() < deadline && !isStopped {
            var pollfd = Glibc.pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&pollfd, 1, 50) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            count += 1
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        var timeout = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while request.count < 65536 {
            let n = recv(client, &buffer, buffer.count, 0)
            if n <= 0 { break }
            request += buffer[0..<n]
            if request.count >= 4, request.suffix(4).elementsEqual([13, 10, 13, 10]) { break }
        }
        let text = String(decoding: request, as: UTF8.self)
        let parts = text.split(separator: " ", maxSplits: 2)
        let path = parts.count >= 2 ? String(parts[1]) : "/"
        lock.lock()
        served.append(path)
        lock.unlock()

        let route = routes[path] ?? Route(status: 404, body: Data("not found\n".utf8))
        if let stall = route.stallSeconds {
            Thread.sleep(forTimeInterval: stall)
            return
        }
        let reason = route.status == 200 ? "OK" : (route.status == 404 ? "Not Found" : "Error")
        let header = "HTTP/1.1 \(route.status) \(reason)\r\nContent-Length: \(route.body.count)\r\n"
            + "Content-Type: application/octet-stream\r\nConnection: close\r\n\r\n"
        var payload = Data(header.utf8)
        payload.append(route.body.prefix(route.cutAfter ?? route.body.count))
        payload.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = send(client, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n <= 0 { break }
                offset += n
            }
        }
    }
}
