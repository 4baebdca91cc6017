import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing
@testable import AdmissionServer

/// Issue #33: a body is not read ahead of its memory reservation beyond the gate's allowance.
@Suite struct BodyReadGateTests {
    /// Counts the reads that reach the head of the pipeline (the socket, in a real channel).
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = Any
        var reads = 0
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    static let head = HTTPRequestPart.head(HTTPRequest(method: .post, scheme: nil, authority: nil, path: "/validate"))

    @Test func readsStopAtTheAllowanceUntilTheBodyIsAdmitted() throws {
        let counter = ReadCounter()
        let channel = EmbeddedChannel(handlers: [counter, BodyReadGate(allowance: 1_000)])
        try channel.writeInbound(Self.head)
        channel.read()
        #expect(counter.reads == 1, "a head alone does not stop reading")
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(repeating: 0x20, count: 1_000)))
        channel.read()
        channel.read()
        #expect(counter.reads == 1, "past the allowance, reads wait for the route")
        channel.pipeline.triggerUserOutboundEvent(BodyReadGate.Admit(), promise: nil)
        #expect(counter.reads == 2, "admitting the body releases the read it held")
        channel.read()
        #expect(counter.reads == 3)
        // The next request starts gated again; a response (a refusal) opens it, so the body is drained.
        try channel.writeInbound(HTTPRequestPart.end(nil))
        try channel.writeInbound(Self.head)
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(repeating: 0x20, count: 5_000)))
        channel.read()
        #expect(counter.reads == 3)
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .tooManyRequests)))
        #expect(counter.reads == 4)
        _ = try channel.finish()
    }

    @Test func aSmallBodyIsNeverHeld() throws {
        let counter = ReadCounter()
        let channel = EmbeddedChannel(handlers: [counter, BodyReadGate()])
        try channel.writeInbound(Self.head)
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(repeating: 0x20, count: 3_000)))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        channel.read()
        #expect(counter.reads == 1)
        _ = try channel.finish()
    }
}
