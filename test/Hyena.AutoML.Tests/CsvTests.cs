using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace Microsoft.ML.Hyena.AutoML.Tests
{
    public sealed class CsvTests : IDisposable
    {
        private readonly TempFolders _folders = new();

        public void Dispose() => _folders.Dispose();

        [Fact]
        public async Task OneRowPerTrialWithAssignmentColumns()
        {
            string folder = _folders.New();
            var runner = new FakeTrialRunner { Failure = c => c.TrialId == 2 ? "bad, \"really\" bad" : null };
            var result = await TestSweeps.Experiment(runner).SetMaxTrials(4).SetMaxEpochsPerTrial(3).SetStateFolder(folder).RunAsync();

            var writer = new StringWriter();
            result.WriteCsv(writer);
            string csv = writer.ToString();
            Assert.Equal(csv, File.ReadAllText(Path.Combine(folder, "trials.csv")));

            string[] lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(5, lines.Length);
            Assert.Equal("trial,X,LearningRate,Depth,C,MicroAccuracy,epochs,duration_s,status,device,seed,error", lines[0]);
            for (int i = 0; i < 4; i++)
            {
                TrialResult trial = result.Trials[i];
                string[] cells = lines[i + 1].Split(',');
                Assert.Equal(i.ToString(), cells[0]);
                Assert.Equal(((double)trial.Parameters["X"]).ToString("R", System.Globalization.CultureInfo.InvariantCulture), cells[1]);
                Assert.Equal(trial.Parameters["Depth"].ToString(), cells[3]);
                Assert.Equal((string)trial.Parameters["C"], cells[4]);
                Assert.Equal(trial.Metric is double m ? m.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "", cells[5]);
                Assert.Equal(trial.Epochs.ToString(), cells[6]);
                Assert.Equal(trial.Status.ToString(), cells[8]);
                Assert.Equal("cpu", cells[9]);
                Assert.Equal(trial.Seed.ToString(), cells[10]);
            }
            // The failed trial's message is quoted (it has a comma and quotes).
            Assert.EndsWith(",Failed,cpu," + result.Trials[2].Seed + ",\"InvalidOperationException: bad, \"\"really\"\" bad\"", lines[3]);
        }

        [Fact]
        public void NumbersAreWrittenInInvariantCulture()
        {
            var previous = System.Globalization.CultureInfo.CurrentCulture;
            try
            {
                System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
                var space = new SweepSearchSpace().Range("X", 0.0, 1.0);
                var trial = new TrialResult
                {
                    Id = 0,
                    Parameters = new ParameterAssignment(new[] { new System.Collections.Generic.KeyValuePair<string, object>("X", 0.25) }),
                    Metric = 0.5,
                    Duration = TimeSpan.FromSeconds(1.5),
                    Device = SweepDevice.Cuda(0),
                };
                var writer = new StringWriter();
                TrialCsv.Write(writer, space, SweepMetric.LogLoss, new[] { trial });
                Assert.Equal("trial,X,LogLoss,epochs,duration_s,status,device,seed,error\r\n0,0.25,0.5,0,1.5,Completed,cuda:0,0,\r\n", writer.ToString());
            }
            finally
            {
                System.Globalization.CultureInfo.CurrentCulture = previous;
            }
        }
    }
}
