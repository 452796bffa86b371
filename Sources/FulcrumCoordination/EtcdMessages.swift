import Foundation

// The etcd v3 JSON gateway's messages (etcd 3.4+, `/v3/...`), only the fields fulcrumd uses.
// The gateway writes int64 as decimal strings, base64-encodes keys and values, and leaves out
// fields that are zero; these types read all three as etcd writes them. One type per message,
// here and nowhere else (docs/deploy.md#two-head-nodes lists the calls).

/// An int64 as the gateway writes it: a decimal string (a number is accepted too).
struct EtcdInt: Codable, Sendable, Hashable {
    var value: Int64

    init(_ value: Int64) { self.value = value }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self), let value = Int64(text) {
            self.value = value
        } else {
            value = try container.decode(Int64.self)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(String(value))
    }
}

/// Bytes as the gateway carries them: base64 in JSON.
struct EtcdBytes: Codable, Sendable, Hashable {
    var data: Data

    init(_ text: String) { data = Data(text.utf8) }
    init(data: Data) { self.data = data }

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not base64"))
        }
        self.data = data
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(data.base64EncodedString())
    }

    var text: String { String(decoding: data, as: UTF8.self) }
}

/// One stored key as etcd reports it.
public struct EtcdKeyValue: Sendable, Hashable {
    public var key: String
    public var value: Data
    public var createRevision: Int64
    public var modRevision: Int64
    public var lease: Int64
}

struct KeyValueMessage: Decodable {
    var key: EtcdBytes
    var value: EtcdBytes?
    var createRevision: EtcdInt?
    var modRevision: EtcdInt?
    var lease: EtcdInt?

    enum CodingKeys: String, CodingKey {
        case key, value, lease
        case createRevision = "create_revision"
        case modRevision = "mod_revision"
    }

    var keyValue: EtcdKeyValue {
        EtcdKeyValue(key: key.text, value: value?.data ?? Data(), createRevision: createRevision?.value ?? 0,
                     modRevision: modRevision?.value ?? 0, lease: lease?.value ?? 0)
    }
}

struct ResponseHeader: Decodable {
    var revision: EtcdInt?
}

struct LeaseGrantRequest: Encodable {
    var TTL: EtcdInt
}

struct LeaseGrantResponse: Decodable {
    var ID: EtcdInt?
    var TTL: EtcdInt?
}

struct LeaseIDRequest: Encodable {
    var ID: EtcdInt
}

/// `/v3/lease/keepalive` is a stream; one request gets one `result` line.
struct LeaseKeepAliveResponse: Decodable {
    struct Result: Decodable {
        var ID: EtcdInt?
        var TTL: EtcdInt?
    }

    var result: Result?
}

struct EmptyResponse: Decodable {}

struct RangeRequest: Encodable {
    var key: EtcdBytes
    var rangeEnd: EtcdBytes?

    enum CodingKeys: String, CodingKey {
        case key
        case rangeEnd = "range_end"
    }
}

struct RangeResponse: Decodable {
    var header: ResponseHeader?
    var kvs: [KeyValueMessage]?
}

struct PutRequest: Encodable {
    var key: EtcdBytes
    var value: EtcdBytes
    var lease: EtcdInt?
}

struct DeleteRangeRequest: Encodable {
    var key: EtcdBytes
}

/// A transaction's condition on one key.
public struct EtcdCompare: Sendable, Hashable, Encodable {
    var target: String
    var key: EtcdBytes
    var createRevision: EtcdInt?
    var value: EtcdBytes?

    enum CodingKeys: String, CodingKey {
        case target, key, value
        case createRevision = "create_revision"
        case result
    }

    /// The key was created at `revision` (0: the key does not exist).
    public static func created(_ key: String, atRevision revision: Int64) -> EtcdCompare {
        EtcdCompare(target: "CREATE", key: EtcdBytes(key), createRevision: EtcdInt(revision))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(target, forKey: .target)
        try container.encode(key, forKey: .key)
        try container.encode("EQUAL", forKey: .result)
        try container.encodeIfPresent(createRevision, forKey: .createRevision)
        try container.encodeIfPresent(value, forKey: .value)
    }
}

/// One operation inside a transaction.
public struct EtcdOperation: Sendable, Hashable, Encodable {
    var put: PutOperation?
    var range: RangeOperation?
    var deleteRange: RangeOperation?

    enum CodingKeys: String, CodingKey {
        case put = "request_put"
        case range = "request_range"
        case deleteRange = "request_delete_range"
    }

    struct PutOperation: Sendable, Hashable, Encodable {
        var key: EtcdBytes
        var value: EtcdBytes
        var lease: EtcdInt?
    }

    struct RangeOperation: Sendable, Hashable, Encodable {
        var key: EtcdBytes
    }

    public static func put(_ key: String, _ value: Data, lease: Int64? = nil) -> EtcdOperation {
        EtcdOperation(put: PutOperation(key: EtcdBytes(key), value: EtcdBytes(data: value), lease: lease.map(EtcdInt.init)))
    }

    public static func get(_ key: String) -> EtcdOperation {
        EtcdOperation(range: RangeOperation(key: EtcdBytes(key)))
    }

    public static func delete(_ key: String) -> EtcdOperation {
        EtcdOperation(deleteRange: RangeOperation(key: EtcdBytes(key)))
    }
}

struct TxnRequest: Encodable {
    var compare: [EtcdCompare]
    var success: [EtcdOperation]
    var failure: [EtcdOperation]
}

struct TxnResponse: Decodable {
    struct Operation: Decodable {
        struct Range: Decodable { var kvs: [KeyValueMessage]? }
        var responseRange: Range?

        enum CodingKeys: String, CodingKey {
            case responseRange = "response_range"
        }
    }

    var header: ResponseHeader?
    var succeeded: Bool?
    var responses: [Operation]?
}

/// What a transaction did: whether its compares held, and the keys its range operations read.
public struct EtcdTxnResult: Sendable, Hashable {
    public var succeeded: Bool
    public var revision: Int64
    public var ranges: [[EtcdKeyValue]]
}

struct AuthenticateRequest: Encodable {
    var name: String
    var password: String
}

struct AuthenticateResponse: Decodable {
    var token: String?
}

/// The gateway's error body.
struct GatewayError: Decodable {
    var error: String?
    var message: String?
    var code: Int?
}
