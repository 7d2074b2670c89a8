using System;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Hyena.Samples.Tests
{
    public class ResultsFileTests
    {
        private static readonly RunInfo _run = new(
            "dotnet run -- --epochs 3 --name \"a b\"",
            new[] { "--epochs", "3", "--name", "a b" },
            new DateTime(2025, 11, 28, 16, 20, 5, DateTimeKind.Utc),
            2,
            "Debian GNU/Linux 12 (bookworm)",
            "X64",
            ".NET 10.0.0");

        private static ResultsTable Table() => new ResultsTable("model", "accuracy", "seconds", "note")
            .AddRow("Hyena", 0.9012345678, TimeSpan.FromSeconds(438.5), "width 128, 4 blocks")
            .AddRow("LightGbm", 0.8956, TimeSpan.FromSeconds(147), null)
            .AddRow("Sdca \"max-ent\"", double.NaN, TimeSpan.FromSeconds(18), "no\nnewline");

        [Fact]
        public void WritesCsvWithRunCommentsAndFullPrecision()
        {
            using var folder = new TemporaryFolder();
            (string csv, string json) = ResultsFile.Write(folder.Combine("out", "results"), Table(), _run, new[] { new System.Collections.Generic.KeyValuePair<string, object?>("epochs", 3) });

            Assert.Equal(folder.Combine("out", "results.csv"), csv);
            Assert.True(File.Exists(json));
            string[] lines = File.ReadAllText(csv).Split('\n');
            Assert.Equal("# command: dotnet run -- --epochs 3 --name \"a b\"", lines[0]);
            Assert.Equal("# arguments: --epochs 3 --name 'a b'", lines[1]);
            Assert.Equal("# date_utc: 2025-11-28T16:20:05Z", lines[2]);
            Assert.Equal("# machine: 2 processors, Debian GNU/Linux 12 (bookworm) (X64), .NET 10.0.0", lines[3]);
            Assert.Equal("# epochs: 3", lines[4]);
            Assert.Equal("model,accuracy,seconds,note", lines[5]);
            Assert.Equal("Hyena,0.9012345678,438.5,\"width 128, 4 blocks\"", lines[6]);
            Assert.Equal("LightGbm,0.8956,147,", lines[7]);
            Assert.Equal("\"Sdca \"\"max-ent\"\"\",NaN,18,\"no", lines[8]);
            Assert.Equal("newline\"", lines[9]);
        }

        [Fact]
        public void WritesJsonWithRunMachineAndTypedValues()
        {
            using var stream = new MemoryStream();
            ResultsFile.WriteJson(stream, Table(), _run);

            using JsonDocument doc = JsonDocument.Parse(stream.ToArray());
            JsonElement root = doc.RootElement;
            JsonElement run = root.GetProperty("run");
            Assert.Equal("dotnet run -- --epochs 3 --name \"a b\"", run.GetProperty("commandLine").GetString());
            Assert.Equal(new[] { "--epochs", "3", "--name", "a b" }, run.GetProperty("arguments").EnumerateArray().Select(a => a.GetString()));
            Assert.Equal("2025-11-28T16:20:05Z", run.GetProperty("dateUtc").GetString());
            Assert.Equal(2, run.GetProperty("machine").GetProperty("processorCount").GetInt32());
            Assert.Equal(".NET 10.0.0", run.GetProperty("machine").GetProperty("dotnet").GetString());
            Assert.Equal(new[] { "model", "accuracy", "seconds", "note" }, root.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));

            JsonElement[] rows = root.GetProperty("rows").EnumerateArray().ToArray();
            Assert.Equal(3, rows.Length);
            Assert.Equal(0.9012345678, rows[0].GetProperty("accuracy").GetDouble());
            Assert.Equal(438.5, rows[0].GetProperty("seconds").GetDouble());
            Assert.Equal(JsonValueKind.Null, rows[1].GetProperty("note").ValueKind);
            Assert.Equal(JsonValueKind.Null, rows[2].GetProperty("accuracy").ValueKind);
            Assert.Equal("Sdca \"max-ent\"", rows[2].GetProperty("model").GetString());
        }

        [Fact]
        public void CaptureRecordsThisProcess()
        {
            RunInfo run = RunInfo.Capture(new[] { "--quick" });
            Assert.Equal(Environment.CommandLine, run.CommandLine);
            Assert.Equal(new[] { "--quick" }, run.Arguments);
            Assert.Equal(Environment.ProcessorCount, run.ProcessorCount);
            Assert.StartsWith(".NET", run.FrameworkDescription);
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", run.DateUtcIso8601);
            Assert.InRange((DateTime.UtcNow - run.DateUtc).TotalMinutes, -1, 1);
        }

        [Fact]
        public void PrintsAnAlignedTable()
        {
            var table = new ResultsTable("model", "accuracy", "time")
                .SetFormat("accuracy", "P2")
                .AddRow("Hyena", 0.9012, TimeSpan.FromSeconds(438))
                .AddRow("LightGbm", 0.8956, TimeSpan.FromSeconds(147));
            var writer = new StringWriter();

            table.Print(writer);

            string[] lines = writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(4, lines.Length);
            Assert.Equal("model     accuracy  time", lines[0]);
            Assert.Equal("--------  --------  ----", lines[1]);
            Assert.Equal("Hyena      90.12 %  7:18", lines[2]);
            Assert.Equal("LightGbm   89.56 %  2:27", lines[3]);
        }

        [Fact]
        public void RejectsARowOfTheWrongWidth()
        {
            var table = new ResultsTable("a", "b");
            Assert.Equal("values", Assert.Throws<ArgumentException>(() => table.AddRow(1)).ParamName);
        }
    }
}
