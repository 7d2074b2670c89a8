using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Hyena.Samples
{
    /// <summary>Where and how a run happened: its exact command line, the date and the machine.</summary>
    public sealed class RunInfo
    {
        /// <summary>Creates the record.</summary>
        /// <param name="commandLine">The exact command line.</param>
        /// <param name="arguments">The program's arguments.</param>
        /// <param name="dateUtc">When the run was recorded, in UTC.</param>
        /// <param name="processorCount">The number of logical processors.</param>
        /// <param name="osDescription">The operating system.</param>
        /// <param name="osArchitecture">The processor architecture of the operating system.</param>
        /// <param name="frameworkDescription">The .NET runtime.</param>
        public RunInfo(string commandLine, IReadOnlyList<string> arguments, DateTime dateUtc, int processorCount, string osDescription, string osArchitecture, string frameworkDescription)
        {
            CommandLine = commandLine ?? throw new ArgumentNullException(nameof(commandLine));
            Arguments = arguments ?? throw new ArgumentNullException(nameof(arguments));
            DateUtc = dateUtc.Kind == DateTimeKind.Utc ? dateUtc : throw new ArgumentException("The date must be in UTC (DateTimeKind.Utc).", nameof(dateUtc));
            ProcessorCount = processorCount;
            OSDescription = osDescription ?? throw new ArgumentNullException(nameof(osDescription));
            OSArchitecture = osArchitecture ?? throw new ArgumentNullException(nameof(osArchitecture));
            FrameworkDescription = frameworkDescription ?? throw new ArgumentNullException(nameof(frameworkDescription));
        }

        /// <summary>The exact command line (<see cref="Environment.CommandLine"/>).</summary>
        public string CommandLine { get; }

        /// <summary>The program's arguments (those given to Main, or <see cref="Environment.GetCommandLineArgs"/> without the program).</summary>
        public IReadOnlyList<string> Arguments { get; }

        /// <summary>When the run was recorded, in UTC.</summary>
        public DateTime DateUtc { get; }

        /// <summary><see cref="DateUtc"/> in ISO 8601, such as "2025-11-28T16:20:00Z".</summary>
        public string DateUtcIso8601 => DateUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

        /// <summary>The number of logical processors (<see cref="Environment.ProcessorCount"/>).</summary>
        public int ProcessorCount { get; }

        /// <summary>The operating system (<see cref="RuntimeInformation.OSDescription"/>).</summary>
        public string OSDescription { get; }

        /// <summary>The operating system's processor architecture, such as "X64".</summary>
        public string OSArchitecture { get; }

        /// <summary>The .NET runtime (<see cref="RuntimeInformation.FrameworkDescription"/>), such as ".NET 10.0.0".</summary>
        public string FrameworkDescription { get; }

        /// <summary>Records the current process: command line, arguments, the time now, and the machine.</summary>
        /// <param name="arguments">The arguments given to Main; those of <see cref="Environment.GetCommandLineArgs"/> without the program when null.</param>
        /// <returns>The record.</returns>
        public static RunInfo Capture(IReadOnlyList<string>? arguments = null)
        {
            if (arguments is null)
            {
                string[] all = Environment.GetCommandLineArgs();
                arguments = all.Length > 1 ? all[1..] : Array.Empty<string>();
            }

            DateTime now = DateTime.UtcNow;
            return new RunInfo(
                Environment.CommandLine,
                arguments,
                new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc),
                Environment.ProcessorCount,
                RuntimeInformation.OSDescription,
                RuntimeInformation.OSArchitecture.ToString(),
                RuntimeInformation.FrameworkDescription);
        }
    }
}
