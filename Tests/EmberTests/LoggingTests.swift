import Foundation
import XCTest
@testable import Ember

final class TensorBoardTests: XCTestCase {
    func testScalarPayloadIsByteExact() {
        // REFERENCE-FACTS 1.8: add_scalar('loss', 0.5, 1) =
        // 09 <8-byte double> 10 01 2a 0d 0a 0b 0a 04 6c6f7373 15 0000003f
        let wallTime = 1_700_000_000.25
        let payload = TensorBoardWriter.scalarEvent(tag: "loss", value: 0.5, step: 1, wallTime: wallTime)
        var expected: [UInt8] = [0x09]
        for k in 0..<8 { expected.append(UInt8(truncatingIfNeeded: wallTime.bitPattern >> (8 * UInt64(k)))) }
        expected += [0x10, 0x01, 0x2A, 0x0D, 0x0A, 0x0B, 0x0A, 0x04, 0x6C, 0x6F, 0x73, 0x73, 0x15, 0x00, 0x00, 0x00, 0x3F]
        XCTAssertEqual(payload.count, 26)
        XCTAssertEqual(payload, expected)
        XCTAssertEqual(payload.map { String(format: "%02x", $0) }.joined(), "0900001040fc54d94110012a0d0a0b0a046c6f7373150000003f")

        // TFRecord framing; the CRCs were computed with tensorboard's own masked_crc32c.
        let record = [UInt8](TFRecord.frame(payload))
        XCTAssertEqual(record.count, 8 + 4 + 26 + 4)
        XCTAssertEqual(Array(record[0..<8]), [26, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(Array(record[8..<12]), [0x12, 0x9B, 0xD8, 0x2D])   // 0x2dd89b12
        XCTAssertEqual(Array(record[12..<38]), payload)
        XCTAssertEqual(Array(record[38..<42]), [0x99, 0x37, 0x88, 0xB2])  // 0xb2883799

        // Step 0 is omitted (proto3 default) and a zero value is still written (oneof member).
        let zero = TensorBoardWriter.scalarEvent(tag: "a", value: 0, step: 0, wallTime: 0)
        XCTAssertEqual(zero, [0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0x2A, 0x0A, 0x0A, 0x08, 0x0A, 0x01, 0x61, 0x15, 0, 0, 0, 0])
        // Negative steps are ten-byte varints.
        let negative = TensorBoardWriter.scalarEvent(tag: "a", value: 1, step: -1, wallTime: 0)
        XCTAssertEqual(Array(negative[9..<20]), [0x10] + [UInt8](repeating: 0xFF, count: 9) + [0x01])
    }

    func testFileVersionEvent() throws {
        let bytes = TensorBoardWriter.fileVersionEvent(wallTime: 2)
        XCTAssertEqual(Array(bytes[9..<24]), [0x1A, 0x0D] + Array("brain.Event:2".utf8))
        XCTAssertEqual(Array(bytes[24...]), [0x52, 0x07, 0x0A, 0x05] + Array("ember".utf8))
        let event = try TensorBoardEventFile.decodeEvent(ArraySlice(bytes))
        XCTAssertEqual(event, TensorBoardEvent(wallTime: 2, step: 0, fileVersion: "brain.Event:2", values: []))
    }

    func testWriterRoundTrip() throws {
        let dir = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = try TensorBoardWriter(logDir: dir.appendingPathComponent("run1"), flushInterval: 3600)
        let name = writer.fileURL.lastPathComponent
        let pattern = #"^events\.out\.tfevents\.\d{10}\.[^.].*\.\d+\.\d+$"#
        XCTAssertNotNil(name.range(of: pattern, options: .regularExpression), name)
        XCTAssertTrue(name.contains(".\(getpid()).") || name.contains(".\(ProcessInfo.processInfo.processIdentifier)."))

        for step in 0..<20 {
            try writer.addScalar(tag: "loss", value: 1.0 / Double(step + 1), step: step)
            try writer.addScalar(tag: "accuracy", value: Float(step) / 20, step: step)
        }
        // Buffered: only the file-version record is on disk so far.
        XCTAssertEqual(try TensorBoardEventFile.read(writer.fileURL).count, 1)
        try writer.flush()
        XCTAssertEqual(try TensorBoardEventFile.read(writer.fileURL).count, 41)

        let image = PNGTests.randomImage(.rgb, width: 12, height: 7, seed: 3)
        try writer.addImage(tag: "samples", image: image, step: 20)
        try writer.addImage(tag: "grey", pixels: [0, 128, 255, 64], width: 2, height: 2, channels: 1, step: 21)
        try writer.addHistogram(tag: "weights", values: [Float](arrayLiteral: 0, 1, 1, 2, 3, .nan), step: 22, bins: 3)
        try writer.addText(tag: "notes", text: "lr = 2e-4", step: 23)
        try writer.close()
        try writer.close()  // harmless
        XCTAssertThrowsError(try writer.addScalar(tag: "loss", value: 1.0, step: 99)) {
            XCTAssertEqual($0 as? TensorBoardError, .closed(path: writer.fileURL.path))
        }

        let events = try TensorBoardEventFile.read(writer.fileURL)
        XCTAssertEqual(events.count, 45)
        XCTAssertEqual(events[0].fileVersion, "brain.Event:2")
        XCTAssertEqual(events[1].values, [TensorBoardValue(tag: "loss", content: .scalar(1))])
        XCTAssertEqual(events[2].values, [TensorBoardValue(tag: "accuracy", content: .scalar(0))])
        XCTAssertEqual(events[39].step, 19)
        XCTAssertEqual(events[39].values, [TensorBoardValue(tag: "loss", content: .scalar(Float(1.0 / 20)))])
        XCTAssertGreaterThan(events[39].wallTime, 1_600_000_000)

        guard case .image(let w, let h, let colorspace, let png) = events[41].values[0].content else {
            return XCTFail("expected an image")
        }
        XCTAssertEqual([w, h, colorspace], [12, 7, 3])
        XCTAssertEqual(try PNG.decode(png), image)
        guard case .image(_, _, 1, let greyPNG) = events[42].values[0].content else { return XCTFail("expected grey") }
        XCTAssertEqual(try PNG.decode(greyPNG).pixels, [0, 128, 255, 64])

        XCTAssertEqual(events[43].values[0].content, .histogram(min: 0, max: 3, count: 5, sum: 7, sumSquares: 15,
                                                                bucketLimits: [0, 1, 2, 3], buckets: [0, 1, 2, 2]))
        XCTAssertEqual(events[44].values, [TensorBoardValue(tag: "notes/text_summary", content: .text("lr = 2e-4"))])

        let series = try TensorBoardEventFile.scalarSeries(at: writer.fileURL)
        XCTAssertEqual(series.map(\.name), ["loss", "accuracy"])
        XCTAssertEqual(series[0].steps, Array(0..<20))
        XCTAssertEqual(series[1].values[10], 0.5)
    }

    func testCorruptAndTruncatedFiles() throws {
        let dir = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = try TensorBoardWriter(logDir: dir)
        for step in 1...3 { try writer.addScalar(tag: "x", value: Double(step), step: step) }
        try writer.close()
        let good = try Data(contentsOf: writer.fileURL)

        var flipped = good
        flipped[good.count - 10] ^= 1
        XCTAssertThrowsError(try TensorBoardEventFile.events(in: flipped, path: "f")) { error in
            guard case TensorBoardReadError.badRecord("f", .checksumMismatch(_, "data")) = error else {
                return XCTFail("got \(error)")
            }
        }
        let cut = good.prefix(good.count - 5)
        XCTAssertThrowsError(try TensorBoardEventFile.events(in: cut)) { error in
            guard case TensorBoardReadError.badRecord(_, .truncated) = error else { return XCTFail("got \(error)") }
        }
        XCTAssertEqual(try TensorBoardEventFile.events(in: cut, allowTruncatedTail: true).count, 3)
        XCTAssertThrowsError(try TensorBoardEventFile.read(dir.appendingPathComponent("none"))) { error in
            guard case TensorBoardReadError.unreadable(_, "no such file") = error else { return XCTFail("got \(error)") }
        }
        // Bad arguments are reported, not written.
        let other = try TensorBoardWriter(logDir: dir)
        XCTAssertNotEqual(other.fileURL, writer.fileURL, "the counter keeps file names apart")
        XCTAssertThrowsError(try other.addScalar(tag: "", value: 1.0, step: 0))
        XCTAssertThrowsError(try other.addImage(tag: "i", png: Data([1]), width: 0, height: 1, colorspace: 3, step: 0))
        XCTAssertThrowsError(try other.addImage(tag: "i", png: Data([1]), width: 1, height: 1, colorspace: 9, step: 0))
        XCTAssertThrowsError(try other.addImage(tag: "i", pixels: [1, 2], width: 2, height: 2, channels: 1, step: 0))
        XCTAssertThrowsError(try other.addHistogram(tag: "h", values: [Double.nan], step: 0))
        try other.close()
        XCTAssertEqual(try TensorBoardEventFile.read(other.fileURL).count, 1)
    }

    /// Writes the canonical log that Tests/Scripts/check_tensorboard.py verifies with
    /// TensorBoard's own reader. Runs when EMBER_TEST_OUTPUT names a folder.
    func testWritesCanonicalLogForPythonCheck() throws {
        guard let folder = ProcessInfo.processInfo.environment["EMBER_TEST_OUTPUT"] else {
            throw XCTSkip("set EMBER_TEST_OUTPUT to write the canonical TensorBoard log")
        }
        let logDir = URL(fileURLWithPath: folder).appendingPathComponent("tensorboard")
        try? FileManager.default.removeItem(at: logDir)
        let writer = try TensorBoardWriter(logDir: logDir)
        for step in 0..<100 {
            try writer.addScalar(tag: "loss/train", value: 1.0 / Double(step + 1), step: step)
            if step % 10 == 0 { try writer.addScalar(tag: "accuracy", value: Float(step) / 100, step: step) }
        }
        let grid = try ImageGrid.make(values: (0..<(6 * 3 * 8 * 8)).map { Float($0 % 64) / 63 }, shape: [6, 3, 8, 8], nrow: 3)
        try writer.addImage(tag: "samples", image: grid, step: 100)
        try writer.addImage(tag: "digit", pixels: (0..<(28 * 28)).map { UInt8($0 % 256) }, width: 28, height: 28,
                            channels: 1, step: 100)
        try writer.addHistogram(tag: "weights", values: (0..<1000).map { Double($0) / 100 - 5 }, step: 100, bins: 10)
        try writer.addText(tag: "config", text: "lr = 0.0002, batch = 64", step: 0)
        try writer.close()
        XCTAssertEqual(try TensorBoardEventFile.read(writer.fileURL).count, 1 + 100 + 10 + 2 + 1 + 1)
    }
}

final class ScalarLoggerTests: XCTestCase {
    func testCSVWriteReadAppend() throws {
        let dir = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("logs/scalars.csv")
        let log = try CSVLogger(url: url)
        try log.log(step: 1, ["loss": 0.5, "acc": 0.25])
        try log.log(step: 2, name: "loss", value: Float(0.1))
        try log.log(step: 3, [("weird, \"name\"", Double.nan), ("loss", .infinity)])
        try log.close()
        XCTAssertThrowsError(try log.log(step: 4, name: "loss", value: 1.0)) {
            XCTAssertEqual($0 as? LogFileError, .closed(path: url.path))
        }
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 6)
        XCTAssertEqual(lines[0], "step,name,value,wall_time")
        XCTAssertTrue(lines[1].hasPrefix("1,loss,0.5,"))
        XCTAssertTrue(lines[3].hasPrefix("2,loss,0.1,"), "Float printed as 0.1: \(lines[3])")
        XCTAssertTrue(lines[4].hasPrefix("3,\"weird, \"\"name\"\"\",nan,"))

        let appended = try CSVLogger(url: url, append: true)
        try appended.log(step: 5, name: "acc", value: 0.75)
        try appended.close()
        let series = try CSVLogger.read(from: url)
        XCTAssertEqual(series.map(\.name), ["loss", "acc", "weird, \"name\""])
        XCTAssertEqual(series[0].steps, [1, 2, 3])
        XCTAssertEqual(series[0].values, [0.5, 0.1, .infinity])
        XCTAssertEqual(series[1], ScalarSeries(name: "acc", steps: [1, 5], values: [0.25, 0.75]))
        XCTAssertTrue(series[2].values[0].isNaN)

        // Not appending replaces the file.
        try CSVLogger(url: url).close()
        XCTAssertEqual(try CSVLogger.read(from: url), [])
        try Data("a,b\n1,2\n".utf8).write(to: url)
        XCTAssertThrowsError(try CSVLogger.read(from: url)) { error in
            guard case LogFileError.malformed(_, 1, _) = error else { return XCTFail("got \(error)") }
        }
    }

    func testJSONLinesWriteRead() throws {
        let dir = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("scalars.jsonl")
        let log = try JSONLinesLogger(url: url)
        try log.log(step: 10, ["loss_g": 1.5, "loss_d": 0.25, "nan \"metric\"": .nan])
        try log.log(step: 20, ["loss_g": Float(0.1)])
        XCTAssertThrowsError(try log.log(step: 30, ["step": 1.0])) {
            XCTAssertEqual($0 as? LogFileError, .reservedName(path: url.path, name: "step"))
        }
        try log.close()
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines[0].hasPrefix("{\"step\":10,\"wall_time\":"))
        XCTAssertTrue(lines[0].hasSuffix(",\"loss_g\":1.5,\"loss_d\":0.25,\"nan \\\"metric\\\"\":null}"), lines[0])
        for line in lines {
            XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        XCTAssertTrue(lines[1].hasSuffix("\"loss_g\":0.1}"))
        let series = try JSONLinesLogger.read(from: url)
        XCTAssertEqual(series.map(\.name), ["loss_g", "loss_d", "nan \"metric\""])
        XCTAssertEqual(series[0], ScalarSeries(name: "loss_g", steps: [10, 20], values: [1.5, Double(Float(0.1).description)!]))
        XCTAssertTrue(series[2].values[0].isNaN)

        var plot = LinePlot()
        for s in series { plot.add(s) }
        XCTAssertEqual(plot.series.count, 3)
        XCTAssertNoThrow(try plot.render())
    }

    func testOpenErrorsNameTheFile() throws {
        let dir = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let blocker = dir.appendingPathComponent("file")
        try Data("x".utf8).write(to: blocker)
        // A file where a folder should be.
        XCTAssertThrowsError(try CSVLogger(url: blocker.appendingPathComponent("log.csv"))) { error in
            guard case LogFileError.cannotOpen(let path, _) = error else { return XCTFail("got \(error)") }
            XCTAssertTrue(path.hasSuffix("file/log.csv"))
        }
        XCTAssertThrowsError(try TensorBoardWriter(logDir: blocker)) { error in
            guard case TensorBoardError.cannotCreate = error else { return XCTFail("got \(error)") }
        }
    }
}

final class ProgressBarTests: XCTestCase {
    final class Recorder: @unchecked Sendable {
        var text: [String] = []
        var time: TimeInterval = 0
    }

    func testInPlaceRendering() {
        let recorder = Recorder()
        let bar = ProgressBar(total: 1000, description: "epoch 1", barWidth: 10, style: .inPlace,
                              output: { recorder.text.append($0) }, clock: { recorder.time })
        recorder.time = 12.5
        bar.update(step: 450, values: ["loss": 0.123456, "acc": 0.5])
        XCTAssertEqual(recorder.text, ["\repoch 1  45%|####      | 450/1000 [00:12<00:15, 36.00 it/s, loss=0.1235, acc=0.5]"])
        // Within the redraw interval nothing is printed; values are kept and replaced.
        recorder.time = 12.55
        bar.update(step: 451, values: ["loss": 0.1])
        XCTAssertEqual(recorder.text.count, 1)
        recorder.time = 3725
        bar.update(step: 1000)
        XCTAssertEqual(recorder.text.last, "\repoch 1 100%|##########| 1000/1000 [1:02:05<00:00, 3.73 s/it, loss=0.1, acc=0.5] ", "padding erases the longer previous line")
        bar.finish()
        XCTAssertEqual(recorder.text.last, "\n")
        let count = recorder.text.count
        bar.update(step: 5)
        bar.finish()
        XCTAssertEqual(recorder.text.count, count, "nothing after finish")
    }

    func testLinesModeAndUnknownTotal() {
        let recorder = Recorder()
        let bar = ProgressBar(total: nil, description: "", barWidth: 10, style: .lines,
                              output: { recorder.text.append($0) }, clock: { recorder.time })
        bar.lineInterval = 10
        for step in 1...100 {
            recorder.time = Double(step) * 0.5   // 2 steps per second
            bar.advance(values: [("loss", 1 / Double(step))])
        }
        // Printed at t = 0.5 (first), 10.5, 20.5, ..., 50 s: plain lines, no carriage returns.
        XCTAssertEqual(recorder.text.count, 5)
        XCTAssertEqual(recorder.text[0], "1 [00:00, 2.00 it/s, loss=1]\n")
        XCTAssertEqual(recorder.text[1], "21 [00:10, 2.00 it/s, loss=0.04762]\n")
        XCTAssertFalse(recorder.text.joined().contains("\r"))
        bar.finish()
        XCTAssertEqual(recorder.text.last, "100 [00:50, 2.00 it/s, loss=0.01]\n")
        XCTAssertEqual(ProgressBar.rate(0.25), "4.00 s/it")
        XCTAssertEqual(ProgressBar.time(59.9), "00:59")
    }

    func testInitialStepOfAResumedLoop() {
        let recorder = Recorder()
        let bar = ProgressBar(total: 200, description: "", barWidth: 10, style: .inPlace, initial: 100,
                              output: { recorder.text.append($0) }, clock: { recorder.time })
        XCTAssertEqual(bar.step, 100)
        recorder.time = 10
        bar.update(step: 150)
        // 50 steps in 10 s since the resume, not 150: 5 it/s and 10 s to go.
        XCTAssertEqual(recorder.text, ["\r 75%|#######   | 150/200 [00:10<00:10, 5.00 it/s]"])
    }
}
