using System;

namespace Hyena.Samples
{
    /// <summary>One message of the SpamAssassin public corpus: the whole raw message (headers and body) and its label.</summary>
    public sealed class SpamAssassinMessage
    {
        /// <summary>Creates a message.</summary>
        /// <param name="text">The whole raw message.</param>
        /// <param name="bytes">The message file's bytes.</param>
        /// <param name="isSpam">Whether the message is spam.</param>
        /// <param name="folder">The corpus folder it came from, such as "spam-2".</param>
        /// <param name="fileName">Its file name within that folder, such as "00001.317e78fa8ee2f54cd4890fdc09ba8176.txt".</param>
        public SpamAssassinMessage(string text, byte[] bytes, bool isSpam, string folder, string fileName)
        {
            Text = text ?? throw new ArgumentNullException(nameof(text));
            Bytes = bytes ?? throw new ArgumentNullException(nameof(bytes));
            Folder = folder ?? throw new ArgumentNullException(nameof(folder));
            FileName = fileName ?? throw new ArgumentNullException(nameof(fileName));
            IsSpam = isSpam;
        }

        /// <summary>
        /// The whole raw message (RFC 822 headers and body). Decoded as UTF-8 when the file is valid UTF-8, and
        /// otherwise as Latin-1 (one character per byte), so that no byte is lost or replaced.
        /// </summary>
        public string Text { get; }

        /// <summary>The message file's bytes, unchanged (for byte-level models).</summary>
        public byte[] Bytes { get; }

        /// <summary>Whether the message is spam (it comes from a spam-* folder).</summary>
        public bool IsSpam { get; }

        /// <summary>The label: <see cref="SpamAssassin.SpamLabel"/> ("spam") or <see cref="SpamAssassin.HamLabel"/> ("ham").</summary>
        public string Label => IsSpam ? SpamAssassin.SpamLabel : SpamAssassin.HamLabel;

        /// <summary>The corpus folder the message came from, such as "easy-ham-1" or "spam-2".</summary>
        public string Folder { get; }

        /// <summary>The message's file name within <see cref="Folder"/>.</summary>
        public string FileName { get; }

        /// <summary>Converts the message to a row for <c>MLContext.Data.LoadFromEnumerable</c>.</summary>
        /// <returns>A row with the text and the label.</returns>
        public SpamAssassinRow ToRow() => new() { Text = Text, Label = Label };
    }
}
