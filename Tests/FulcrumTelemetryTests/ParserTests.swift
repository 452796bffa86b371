import Testing
@testable import FulcrumTelemetry
import FulcrumCore

// Spec examples and format quirks. The Prometheus text example is the one on
// prometheus.io/docs/instrumenting/exposition_formats; the OpenMetrics ones follow the
// OpenMetrics 1.0 specification's text-format examples.

private func parse(_ text: String, _ format: FormatChoice = .auto, _ filter: FamilyFilter = .all) throws -> Exposition {
    try ExpositionParser.parse(text, format: format, families: filter)
}

@Suite struct PrometheusTextSpecTests {
    static let specExample = #"""
    # HELP http_requests_total The total number of HTTP requests.
    # TYPE http_requests_total counter
    http_requests_total{method="post",code="200"} 1027 1395066363000
    http_requests_total{method="post",code="400"}    3 1395066363000

    # Escaping in label values:
    msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9

    # Minimalistic line:
    metric_without_timestamp_and_labels 12.47

    # A weird metric from before the epoch:
    something_weird{problem="division by zero"} +Inf -3982045

    # A histogram, which has a pretty complex representation in the text format:
    # HELP http_request_duration_seconds A histogram of the request duration.
    # TYPE http_request_duration_seconds histogram
    http_request_duration_seconds_bucket{le="0.05"} 24054
    http_request_duration_seconds_bucket{le="0.1"} 33444
    http_request_duration_seconds_bucket{le="0.2"} 100392
    http_request_duration_seconds_bucket{le="0.5"} 129389
    http_request_duration_seconds_bucket{le="1"} 133988
    http_request_duration_seconds_bucket{le="+Inf"} 144320
    http_request_duration_seconds_sum 53423
    http_request_duration_seconds_count 144320

    # Finally a summary, which has a complex representation, too:
    # HELP rpc_duration_seconds A summary of the RPC duration in seconds.
    # TYPE rpc_duration_seconds summary
    rpc_duration_seconds{quantile="0.01"} 3102
    rpc_duration_seconds{quantile="0.05"} 3272
    rpc_duration_seconds{quantile="0.5"} 4773
    rpc_duration_seconds{quantile="0.9"} 9001
    rpc_duration_seconds{quantile="0.99"} 76656
    rpc_duration_seconds_sum 1.7560473e+07
    rpc_duration_seconds_count 2693

    """#

    @Test func specExampleParses() throws {
        let exposition = try parse(Self.specExample)
        #expect(exposition.format == .prometheusText)
        #expect(exposition.families.map(\.name) == [
            "http_requests_total", "msdos_file_access_time_seconds", "metric_without_timestamp_and_labels",
            "something_weird", "http_request_duration_seconds", "rpc_duration_seconds",
        ])
        let requests = try #require(exposition.family(named: "http_requests_total"))
        #expect(requests.type == .counter)
        #expect(requests.help == "The total number of HTTP requests.")
        #expect(requests.samples == [
            Sample(name: "http_requests_total", labels: [Label("method", "post"), Label("code", "200")], value: 1027, timestamp: 1_395_066_363),
            Sample(name: "http_requests_total", labels: [Label("method", "post"), Label("code", "400")], value: 3, timestamp: 1_395_066_363),
        ])
        let msdos = try #require(exposition.family(named: "msdos_file_access_time_seconds"))
        #expect(msdos.type == .unknown)
        #expect(msdos.samples[0].label("path") == #"C:\DIR\FILE.TXT"#)
        #expect(msdos.samples[0].label("error") == "Cannot find file:\n\"FILE.TXT\"")
        #expect(msdos.samples[0].value == 1.458255915e9)
        #expect(exposition.family(named: "metric_without_timestamp_and_labels")?.samples[0].value == 12.47)
        let weird = try #require(exposition.family(named: "something_weird")?.samples.first)
        #expect(weird.value == .infinity)
        #expect(weird.timestamp == -3982.045)
        let histogram = try #require(exposition.family(named: "http_request_duration_seconds"))
        #expect(histogram.type == .histogram)
        #expect(histogram.samples.count == 8)
        #expect(histogram.samples.last == Sample(name: "http_request_duration_seconds_count", value: 144_320))
        let summary = try #require(exposition.family(named: "rpc_duration_seconds"))
        #expect(summary.type == .summary)
        #expect(summary.samples.map(\.value) == [3102, 3272, 4773, 9001, 76656, 1.7560473e+07, 2693])
    }

    @Test func histogramAssemblesFromSpecExample() throws {
        let exposition = try parse(Self.specExample)
        var issues: [TelemetryIssue] = []
        let series = HistogramAssembly.series(named: "http_request_duration_seconds", in: exposition, issues: &issues)
        #expect(issues.isEmpty)
        let histogram = try #require(series.first?.histogram)
        #expect(histogram.buckets.map(\.upperBound) == [0.05, 0.1, 0.2, 0.5, 1, .infinity])
        #expect(histogram.buckets.map(\.cumulativeCount) == [24054, 33444, 100392, 129389, 133988, 144320])
        #expect(histogram.sum == 53423)
        #expect(histogram.count == 144320)
    }

    @Test func interestSetMaterialisesOnlyRequestedFamilies() throws {
        let exposition = try parse(Self.specExample, .auto, .only(["http_request_duration_seconds", "rpc_duration_seconds_sum"]))
        #expect(exposition.families.map(\.name) == ["http_request_duration_seconds", "rpc_duration_seconds"])
        // Every family is still listed, with its sample count.
        #expect(exposition.allFamilies.count == 6)
        #expect(exposition.allFamilies.first { $0.name == "http_requests_total" }?.sampleCount == 2)
    }

    @Test func everyEscapeInLabelValuesAndHelp() throws {
        let text = #"""
        # HELP m A \\ backslash,\na newline and a \" quote
        # TYPE m gauge
        m{a="back\\slash",b="new\nline",c="dq\"uote",d="all: \\\"\n\\n",e=""} 1

        """#
        let family = try #require(try parse(text).family(named: "m"))
        #expect(family.help == "A \\ backslash,\na newline and a \" quote")
        let sample = family.samples[0]
        #expect(sample.label("a") == "back\\slash")
        #expect(sample.label("b") == "new\nline")
        #expect(sample.label("c") == "dq\"uote")
        #expect(sample.label("d") == "all: \\\"\n\\n")
        #expect(sample.label("e") == "")
    }

    @Test("label strings are reused from sample to sample only when their bytes repeat")
    func labelsChangingFromSampleToSample() throws {
        let text = #"""
        # TYPE m gauge
        m{model="llama",engine="0"} 1
        m{model="llama",engine="1"} 2
        m{model="qwén",engine="1"} 3
        m{model="q\\wen",engine="1"} 4
        m{model="llama"} 5
        m{engine="0",model="llama"} 6

        """#
        let samples = try #require(try parse(text).family(named: "m")).samples
        #expect(samples.map { $0.label("model") } == ["llama", "llama", "qwén", "q\\wen", "llama", "llama"])
        #expect(samples.map { $0.label("engine") } == ["0", "1", "1", "1", nil, "0"])
        #expect(samples.map(\.labels.count) == [2, 2, 2, 2, 1, 2])
    }

    @Test func quotedUTF8NamesPrometheus3Style() throws {
        let text = #"""
        # HELP "my.metric" A dotted name.
        # TYPE "my.metric" gauge
        {"my.metric", label="x", "label.with.dots"="ü€"} 1.5
        {"my.metric",label="y",} 2
        plain{"quoted.label"="v"} 3

        """#
        let exposition = try parse(text)
        let family = try #require(exposition.family(named: "my.metric"))
        #expect(family.type == .gauge)
        #expect(family.help == "A dotted name.")
        #expect(family.samples == [
            Sample(name: "my.metric", labels: [Label("label", "x"), Label("label.with.dots", "ü€")], value: 1.5),
            Sample(name: "my.metric", labels: [Label("label", "y")], value: 2),
        ])
        #expect(exposition.family(named: "plain")?.samples.first?.label("quoted.label") == "v")
    }

    @Test func trailingCommaBlanksCRLFAndComments() throws {
        let text = "# a comment that is not metadata\r\n#no space comment\r\n\r\n  \r\nm{a=\"1\",b=\"2\",} 5\r\nm { a = \"3\" }\t6  \r\n"
        let family = try #require(try parse(text).family(named: "m"))
        #expect(family.samples.map(\.value) == [5, 6])
        #expect(family.samples[0].labels == [Label("a", "1"), Label("b", "2")])
        #expect(family.samples[1].labels == [Label("a", "3")])
    }

    @Test(arguments: [
        ("NaN", Double.nan), ("nan", .nan), ("+Inf", .infinity), ("-Inf", -.infinity), ("inf", .infinity),
        ("+infinity", .infinity), ("1e-3", 0.001), ("1.0", 1.0), (".5", 0.5), ("5.", 5.0), ("-0", -0.0),
        ("0.0016200000000000001", 0.0016200000000000001), ("1.7682643398898673e+09", 1.7682643398898673e+09),
        ("123456789012345678901234567890", 123456789012345678901234567890.0), ("4.9e-324", Double.leastNonzeroMagnitude),
        ("1e400", .infinity), ("2.2250738585072011e-308", Double("2.2250738585072011e-308")!), ("2.2250738585072014e-308", Double.leastNormalMagnitude),
    ])
    func valueSpellings(token: String, expected: Double) throws {
        let sample = try #require(try parse("m \(token)\n").families.first?.samples.first)
        #expect(sameNumber(sample.value, expected), "\(token) → \(sample.value)")
        #expect(sample.value.sign == expected.sign || expected.isNaN)
    }

    @Test func bucketBoundsInAnySpelling() throws {
        let text = """
        # TYPE h histogram
        h_bucket{le="1e-3"} 1
        h_bucket{le="0.5"} 2
        h_bucket{le="1"} 3
        h_bucket{le="2.0"} 4
        h_bucket{le="+inf"} 5
        h_sum 3
        h_count 5

        """
        var issues: [TelemetryIssue] = []
        let histogram = try #require(HistogramAssembly.series(named: "h", in: try parse(text), issues: &issues).first?.histogram)
        #expect(histogram.buckets.map(\.upperBound) == [0.001, 0.5, 1, 2, .infinity])
        #expect(issues.isEmpty)
    }

    @Test func labelsInAnyOrderGroupTheSameSeries() throws {
        let text = """
        # TYPE h histogram
        h_bucket{b="2",le="1",a="1"} 1
        h_bucket{le="+Inf",a="1",b="2"} 2
        h_sum{a="1",b="2"} 0.5
        h_count{b="2",a="1"} 2

        """
        var issues: [TelemetryIssue] = []
        let series = HistogramAssembly.series(named: "h", in: try parse(text), issues: &issues)
        #expect(series.count == 1)
        #expect(series.first?.labels == [Label("a", "1"), Label("b", "2")])
        #expect(series.first?.histogram.count == 2)
        #expect(issues.isEmpty)
    }

    @Test func rustStyleCounterTypeWithTotal() throws {
        let exposition = try parse(Fixtures.dynamoFrontend)
        let requests = try #require(exposition.family(named: "dynamo_frontend_requests_total"))
        #expect(requests.type == .counter)
        #expect(requests.samples.map(\.value) == [2, 1])
        // The OpenMetrics spelling of the name finds the same family.
        #expect(exposition.family(named: "dynamo_frontend_requests")?.name == "dynamo_frontend_requests_total")
    }

    @Test func pythonCreatedGaugeFamiliesStaySeparate() throws {
        let exposition = try parse(Fixtures.vllmTwoEngines)
        #expect(exposition.family(named: "vllm:prompt_tokens_total")?.samples.count == 2)
        let created = try #require(exposition.family(named: "vllm:prompt_tokens_created"))
        #expect(created.type == .gauge)
        #expect(created.samples[0].value == 1.768264339889982e+09)
        #expect(exposition.family(named: "vllm:time_to_first_token_seconds")?.samples.count == 12)
    }

    @Test("A series whose first bucket has no numeric le is reported once and assembled once from the rest")
    func bucketWithoutNumericBoundIsReportedAndTheSeriesListedOnce() throws {
        let text = """
        h_bucket{a="1",le="fast"} 1
        h_bucket{a="1",le="1"} 1
        h_bucket{a="1",le="+Inf"} 2
        h_sum{a="1"} 1.5
        h_count{a="1"} 2

        """
        let exposition = try parse(text, .auto, .only(["h"]))
        var issues: [TelemetryIssue] = []
        let series = HistogramAssembly.series(named: "h", in: exposition, issues: &issues)
        #expect(series.count == 1)
        #expect(series.first?.histogram.buckets.map(\.upperBound) == [1, .infinity])
        #expect(issues.map(\.problem) == ["bucket without a numeric le label"])
    }

    @Test func histogramWithoutTypeLineStillAssembles() throws {
        let text = """
        h_bucket{le="1"} 1
        h_bucket{le="+Inf"} 2
        h_sum 1.5
        h_count 2

        """
        let exposition = try parse(text, .auto, .only(["h"]))
        #expect(exposition.families.map(\.name) == ["h_bucket", "h_sum", "h_count"])
        var issues: [TelemetryIssue] = []
        let histogram = HistogramAssembly.series(named: "h", in: exposition, issues: &issues).first?.histogram
        #expect(histogram == CumulativeHistogram(bounds: [1], countsPerBucket: [1, 1], sum: 1.5))
    }

    @Test func textFormatMergesAReappearingFamily() throws {
        let exposition = try parse("a 1\nb 2\na{x=\"y\"} 3\n")
        #expect(exposition.families.map(\.name) == ["a", "b"])
        #expect(exposition.family(named: "a")?.samples.map(\.value) == [1, 3])
    }

    @Test func emptyInputIsAnEmptyExposition() throws {
        #expect(try parse("").families.isEmpty)
        #expect(try parse("\n\n# just a comment\n").families.isEmpty)
    }
}

@Suite struct OpenMetricsSpecTests {
    @Test func countersGaugesHistogramsSummariesAndEOF() throws {
        let text = #"""
        # TYPE acme_http_router_request_seconds summary
        # UNIT acme_http_router_request_seconds seconds
        # HELP acme_http_router_request_seconds Latency though all of ACME's HTTP request router.
        acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32
        acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 807283.0
        acme_http_router_request_seconds_created{path="/api/v1",method="GET"} 1605281325.0
        # TYPE go_goroutines gauge
        go_goroutines 69
        # TYPE process_cpu_seconds counter
        # UNIT process_cpu_seconds seconds
        # HELP process_cpu_seconds Total user and system CPU time spent in seconds.
        process_cpu_seconds_total 4.20072246e+06
        # TYPE foo histogram
        foo_bucket{le="0.0"} 0
        foo_bucket{le="1e-05"} 0
        foo_bucket{le="0.1"} 8 # {trace_id="KOO5S4vxi0o"} 0.67
        foo_bucket{le="+Inf"} 17 # {trace_id="oHg5SJYRHA0"} 9.8 1520879607.789
        foo_count 17
        foo_sum 324789.3
        foo_created 1520430000.123
        # TYPE gh gaugehistogram
        gh_bucket{le="1"} 2
        gh_bucket{le="+Inf"} 3
        gh_gcount 3
        gh_gsum 1.5
        # TYPE build info
        build_info{version="1.0"} 1
        # TYPE state stateset
        state{state="a"} 1
        state{state="b"} 0
        # TYPE q summary
        q{quantile="0.5"} 1 1520879607.789
        # EOF

        """#
        let exposition = try parse(text)
        #expect(exposition.format == .openMetrics)
        let summary = try #require(exposition.family(named: "acme_http_router_request_seconds"))
        #expect(summary.type == .summary)
        #expect(summary.unit == "seconds")
        #expect(summary.help == "Latency though all of ACME's HTTP request router.")
        #expect(summary.samples.map(\.name).last == "acme_http_router_request_seconds_created")
        let cpu = try #require(exposition.family(named: "process_cpu_seconds_total"))
        #expect(cpu.name == "process_cpu_seconds")
        #expect(cpu.samples == [Sample(name: "process_cpu_seconds_total", value: 4.20072246e+06)])
        let foo = try #require(exposition.family(named: "foo"))
        #expect(foo.samples[2].exemplar == Exemplar(labels: [Label("trace_id", "KOO5S4vxi0o")], value: 0.67))
        #expect(foo.samples[3].exemplar?.timestamp == 1520879607.789)
        #expect(exposition.family(named: "gh")?.type == .gaugeHistogram)
        #expect(exposition.family(named: "build")?.type == .info)
        #expect(exposition.family(named: "state")?.samples.count == 2)
        #expect(exposition.family(named: "q")?.samples.first?.timestamp == 1520879607.789)
    }

    @Test func caseInsensitiveSpecialValues() throws {
        let text = "# TYPE g gauge\ng{a=\"1\"} nan\ng{a=\"2\"} +INF\ng{a=\"3\"} -inf\n# EOF\n"
        let values = try #require(try parse(text).family(named: "g")).samples.map(\.value)
        #expect(values[0].isNaN && values[1] == .infinity && values[2] == -.infinity)
    }

    @Test func vllmOpenMetricsExposition() throws {
        let exposition = try parse(Fixtures.vllmOpenMetrics)
        #expect(exposition.format == .openMetrics)
        let prompt = try #require(exposition.family(named: "vllm:prompt_tokens_total"))
        #expect(prompt.name == "vllm:prompt_tokens")
        #expect(prompt.samples.map(\.name) == ["vllm:prompt_tokens_total", "vllm:prompt_tokens_created"])
        let generation = try #require(exposition.family(named: "vllm:generation_tokens"))
        #expect(generation.samples[0].exemplar == Exemplar(labels: [Label("trace_id", "abc")], value: 1, timestamp: 1.7682643e+09))
    }

    @Test func contentTypeSelectsFormat() {
        #expect(ExpositionFormat(contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8") == .openMetrics)
        #expect(ExpositionFormat(contentType: "text/plain; version=0.0.4; charset=utf-8") == .prometheusText)
        #expect(ExpositionFormat(contentType: "application/json") == nil)
    }
}
