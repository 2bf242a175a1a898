import Foundation
import XCTest

/// Runs one test method of this bundle in a child process with `EMBER_DEATH_TEST=1` and
/// asserts that it stops with a message containing `expected`. The method itself must do
/// nothing unless that variable is set, so ordinary runs skip it.
func assertStops(_ testName: String, with expected: String, file: StaticString = #filePath, line: UInt = #line) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    process.arguments = [testName]
    var env = ProcessInfo.processInfo.environment
    env["EMBER_DEATH_TEST"] = "1"
    process.environment = env
    let errPipe = Pipe(), outPipe = Pipe()
    process.standardError = errPipe
    process.standardOutput = outPipe
    do { try process.run() } catch {
        XCTFail("could not start \(testName): \(error)", file: file, line: line); return
    }
    let errData = errPipe.fileHandleForReading.readDataToEndOfFile()
    let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = (String(data: errData, encoding: .utf8) ?? "") + (String(data: outData, encoding: .utf8) ?? "")
    XCTAssertNotEqual(process.terminationStatus, 0, "\(testName) should have stopped", file: file, line: line)
    XCTAssertTrue(text.contains(expected), "\(testName): expected the message to contain «\(expected)»; got:\n\(text.suffix(2000))", file: file, line: line)
}

/// Whether this process is a death-test child.
var isDeathTestChild: Bool { ProcessInfo.processInfo.environment["EMBER_DEATH_TEST"] == "1" }
