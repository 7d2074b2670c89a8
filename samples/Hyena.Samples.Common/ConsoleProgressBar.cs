using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;

namespace Hyena.Samples
{
    /// <summary>
    /// A training progress display. On a terminal it redraws one line in place with '\r' (epoch x/y, a bar, step,
    /// loss, accuracy, tokens per second, time left) and ends each epoch's line with its summary; when the output
    /// is redirected to a file or pipe it prints nothing while an epoch runs and one plain line per epoch.
    /// It takes plain values only, so any training loop can feed it.
    /// </summary>
    public sealed class ConsoleProgressBar
    {
        private readonly TextWriter _writer;
        private readonly bool _interactive;
        private readonly int _barWidth;
        private readonly TimeSpan _minimumRedrawInterval;
        private readonly Stopwatch _sinceRedraw = new();
        private int _lastLineLength;

        /// <summary>Creates a progress display on the console; it redraws in place unless <see cref="Console.IsOutputRedirected"/>.</summary>
        public ConsoleProgressBar()
            : this(Console.Out, !Console.IsOutputRedirected)
        {
        }

        /// <summary>Creates a progress display on any writer.</summary>
        /// <param name="writer">Where to write.</param>
        /// <param name="interactive">True to redraw one line in place with '\r'; false for one plain line per epoch.</param>
        /// <param name="barWidth">The width of the bar, in characters (0 for no bar).</param>
        /// <param name="minimumRedrawInterval">The least time between two redraws (the last step of an epoch always redraws); 100 ms when null.</param>
        public ConsoleProgressBar(TextWriter writer, bool interactive, int barWidth = 24, TimeSpan? minimumRedrawInterval = null)
        {
            _writer = writer ?? throw new ArgumentNullException(nameof(writer));
            if (barWidth < 0)
                throw new ArgumentOutOfRangeException(nameof(barWidth), barWidth, "The bar width must not be negative.");
            _interactive = interactive;
            _barWidth = barWidth;
            _minimumRedrawInterval = minimumRedrawInterval ?? TimeSpan.FromMilliseconds(100);
            if (_minimumRedrawInterval < TimeSpan.Zero)
                throw new ArgumentOutOfRangeException(nameof(minimumRedrawInterval), minimumRedrawInterval, "The interval must not be negative.");
        }

        /// <summary>Whether the display redraws one line in place.</summary>
        public bool IsInteractive => _interactive;

        /// <summary>Shows the progress within an epoch (on a terminal only; redirected output gets nothing until <see cref="CompleteEpoch"/>).</summary>
        /// <param name="epoch">The current epoch, from 1.</param>
        /// <param name="maxEpochs">The number of epochs.</param>
        /// <param name="step">The steps done in this epoch, from 1.</param>
        /// <param name="stepsPerEpoch">The steps of an epoch (0 or less when unknown).</param>
        /// <param name="loss">The running training loss.</param>
        /// <param name="accuracy">The running training accuracy in [0, 1] (NaN when unknown).</param>
        /// <param name="tokensPerSecond">The throughput in tokens (or examples) per second (NaN when unknown).</param>
        /// <param name="remaining">The estimated time left for the whole training.</param>
        public void Update(int epoch, int maxEpochs, int step, int stepsPerEpoch, double loss, double accuracy, double tokensPerSecond, TimeSpan remaining)
        {
            if (!_interactive)
                return;

            bool last = stepsPerEpoch > 0 && step >= stepsPerEpoch;
            if (!last && _sinceRedraw.IsRunning && _sinceRedraw.Elapsed < _minimumRedrawInterval)
                return;

            var line = new StringBuilder();
            line.Append(EpochText(epoch, maxEpochs));
            if (_barWidth > 0 && stepsPerEpoch > 0)
            {
                int filled = (int)Math.Round(_barWidth * Math.Clamp((double)step / stepsPerEpoch, 0, 1));
                line.Append(" [").Append('#', filled).Append('-', _barWidth - filled).Append(']');
            }

            line.Append(" step ").Append(step.ToString(CultureInfo.InvariantCulture));
            if (stepsPerEpoch > 0)
                line.Append('/').Append(stepsPerEpoch.ToString(CultureInfo.InvariantCulture));
            AppendMetrics(line, loss, accuracy, tokensPerSecond);
            line.Append("  left ").Append(FormatDuration(remaining));
            Redraw(line.ToString());
            _sinceRedraw.Restart();
        }

        /// <summary>Ends an epoch: on a terminal, replaces the live line with the epoch's summary and a new line; otherwise prints the summary line.</summary>
        /// <param name="epoch">The epoch just finished, from 1.</param>
        /// <param name="maxEpochs">The number of epochs.</param>
        /// <param name="loss">The epoch's training loss.</param>
        /// <param name="accuracy">The epoch's training accuracy in [0, 1] (NaN when unknown).</param>
        /// <param name="tokensPerSecond">The epoch's throughput (NaN when unknown).</param>
        /// <param name="elapsed">The time the epoch took.</param>
        /// <param name="remaining">The estimated time left for the whole training.</param>
        /// <param name="validationAccuracy">The validation accuracy in [0, 1] after this epoch, when measured.</param>
        public void CompleteEpoch(int epoch, int maxEpochs, double loss, double accuracy, double tokensPerSecond, TimeSpan elapsed, TimeSpan remaining, double? validationAccuracy = null)
        {
            var line = new StringBuilder();
            line.Append(EpochText(epoch, maxEpochs));
            AppendMetrics(line, loss, accuracy, tokensPerSecond);
            if (validationAccuracy is double validation)
                line.Append("  val acc ").Append(FormatPercent(validation));
            line.Append("  took ").Append(FormatDuration(elapsed));
            line.Append("  left ").Append(FormatDuration(remaining));

            if (_interactive)
            {
                Redraw(line.ToString());
                _writer.WriteLine();
                _lastLineLength = 0;
                _sinceRedraw.Reset();
            }
            else
            {
                _writer.WriteLine(line.ToString());
            }

            _writer.Flush();
        }

        /// <summary>Formats a duration as "m:ss", or "h:mm:ss" from one hour, or "?" when negative or unknown.</summary>
        /// <param name="duration">The duration.</param>
        /// <returns>The text.</returns>
        public static string FormatDuration(TimeSpan duration)
        {
            if (duration < TimeSpan.Zero || duration == TimeSpan.MaxValue)
                return "?";
            long seconds = (long)Math.Round(duration.TotalSeconds);
            long hours = seconds / 3600;
            return hours > 0
                ? string.Format(CultureInfo.InvariantCulture, "{0}:{1:00}:{2:00}", hours, seconds / 60 % 60, seconds % 60)
                : string.Format(CultureInfo.InvariantCulture, "{0}:{1:00}", seconds / 60, seconds % 60);
        }

        /// <summary>Formats a rate with a k or M suffix, such as "12.3k".</summary>
        /// <param name="value">The rate.</param>
        /// <returns>The text.</returns>
        public static string FormatRate(double value)
        {
            if (double.IsNaN(value) || double.IsInfinity(value))
                return "?";
            return Math.Abs(value) switch
            {
                >= 1e6 => (value / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + "M",
                >= 1e3 => (value / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + "k",
                _ => value.ToString("0", CultureInfo.InvariantCulture),
            };
        }

        private static string EpochText(int epoch, int maxEpochs) =>
            "epoch " + epoch.ToString(CultureInfo.InvariantCulture) + "/" + maxEpochs.ToString(CultureInfo.InvariantCulture);

        private static void AppendMetrics(StringBuilder line, double loss, double accuracy, double tokensPerSecond)
        {
            line.Append("  loss ").Append(double.IsNaN(loss) ? "?" : loss.ToString("0.0000", CultureInfo.InvariantCulture));
            if (!double.IsNaN(accuracy))
                line.Append("  acc ").Append(FormatPercent(accuracy));
            if (!double.IsNaN(tokensPerSecond))
                line.Append("  ").Append(FormatRate(tokensPerSecond)).Append(" tok/s");
        }

        private static string FormatPercent(double fraction) => (fraction * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%";

        private void Redraw(string text)
        {
            int width = ConsoleWidth();
            if (width > 1 && text.Length >= width)
                text = text.Substring(0, width - 1);

            int padding = Math.Max(0, _lastLineLength - text.Length);
            _writer.Write('\r');
            _writer.Write(text);
            if (padding > 0)
                _writer.Write(new string(' ', padding));
            _writer.Flush();
            _lastLineLength = text.Length;
        }

        private int ConsoleWidth()
        {
            if (!ReferenceEquals(_writer, Console.Out) || Console.IsOutputRedirected)
                return 0;
            try
            {
                return Console.WindowWidth;
            }
            catch (IOException)
            {
                return 0;
            }
            catch (PlatformNotSupportedException)
            {
                return 0;
            }
        }
    }
}
