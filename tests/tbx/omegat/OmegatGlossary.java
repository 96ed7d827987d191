import java.io.File;
import java.lang.reflect.Method;
import java.util.List;

import org.omegat.core.Core;
import org.omegat.core.data.NotLoadedProject;
import org.omegat.core.data.ProjectProperties;
import org.omegat.gui.glossary.GlossaryEntry;
import org.omegat.gui.glossary.GlossaryManager;

/** Loads glossary files through OmegaT's own glossary code and prints what it offers, one entry a line. */
public class OmegatGlossary {
    static class Properties extends ProjectProperties {
        Properties(String source, String target) {
            setSourceLanguage(source);
            setTargetLanguage(target);
        }
    }

    static class Project extends NotLoadedProject {
        final ProjectProperties properties;

        Project(String source, String target) {
            properties = new Properties(source, target);
        }

        @Override
        public ProjectProperties getProjectProperties() {
            return properties;
        }
    }

    static String flat(String text) {
        return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t");
    }

    /** Usage: SOURCE_LANG TARGET_LANG FILE... (each file is read as OmegaT's glossary manager reads it, by its name). */
    public static void main(String[] args) throws Exception {
        Core.setProject(new Project(args[0], args[1]));
        GlossaryManager manager = new GlossaryManager(null);
        java.lang.reflect.Field priority = GlossaryManager.class.getDeclaredField("priorityGlossary");
        priority.setAccessible(true);
        priority.set(manager, new File("glossary.txt")); // the project's writable glossary: none of ours
        Method load = GlossaryManager.class.getDeclaredMethod("loadGlossaryFile", File.class);
        load.setAccessible(true);
        for (int i = 2; i < args.length; i++) {
            @SuppressWarnings("unchecked")
            List<GlossaryEntry> entries = (List<GlossaryEntry>) load.invoke(manager, new File(args[i]));
            System.out.println("FILE\t" + args[i] + "\t" + (entries == null ? -1 : entries.size()));
            if (entries == null) {
                continue;
            }
            for (GlossaryEntry entry : entries) {
                System.out.println("ENTRY\t" + flat(entry.getSrcText()) + "\t" + flat(entry.getLocText()) + "\t"
                        + flat(entry.getCommentText()));
            }
        }
    }
}
