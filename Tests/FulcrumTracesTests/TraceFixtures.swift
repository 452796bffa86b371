/// Small traces in every supported format, embedded as literals because test resources would need
/// a Package.swift change. They deliberately use CRLF, a missing final newline, trailing blank
/// lines, repeated and out-of-order timestamps.
enum TraceFixtures {
    /// Azure 2023 style: CRLF, no final newline, unordered rows, one repeated timestamp.
    static let azure =
        "TIMESTAMP,ContextTokens,GeneratedTokens\r\n" +
        "2023-11-16 18:15:46.6805900,374,44\r\n" +
        "2023-11-16 18:15:51.7137840,879,15\r\n" +
        "2023-11-16 18:15:50.9951690,396,109\r\n" +
        "2023-11-16 18:15:51.7137840,91,16\r\n" +
        "2023-11-16 18:16:03.1031250,1521,186"

    /// Mooncake: repeated and unordered timestamps, keys in any order, extra keys, CRLF, blank tail.
    static let mooncake =
        #"{"timestamp": 0, "input_length": 6955, "output_length": 52, "hash_ids": [0, 1, 2]}"# + "\r\n" +
        #"{"hash_ids": [3, 4], "output_length": 10, "input_length": 1000, "timestamp": 0}"# + "\r\n" +
        #"{"timestamp": 3052, "input_length": 20, "output_length": 5, "session": "abc"}"# + "\r\n" +
        #"{"timestamp": 1500.5, "input_length": 300, "output_length": 7, "hash_ids": []}"# + "\r\n" +
        "\r\n\r\n"

    /// BurstGPT: two failed requests (zero response tokens) on lines 3 and 6, LF, final newline.
    static let burstGPT = """
        Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type
        5,ChatGPT,472,18,490,Conversation log
        45,ChatGPT,1087,0,1087,Conversation log
        118,GPT-4,417,276,693,Conversation log
        118,ChatGPT,1360,202,1562,API log
        190,ChatGPT,95,0,95,API log
        230.5,GPT-4,2000,350,2350,"Conversation log"

        """

    /// Fulcrum plain CSV, LF, no final newline.
    static let plainCSV = """
        arrival_s,input_tokens,output_tokens
        0.000,1000,250
        0.250,800,100
        1.125,4000,30
        """
}
